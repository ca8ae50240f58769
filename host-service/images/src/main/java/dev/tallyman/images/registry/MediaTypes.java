package dev.tallyman.images.registry;

import java.util.Set;

/** The media types of manifests, indexes, configs and layers that pull and push deal with. */
public final class MediaTypes {
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_NONDISTRIBUTABLE_LAYER = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public static final String OCI_NONDISTRIBUTABLE_LAYER_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";

    /** The Accept header of a manifest request: every manifest kind pull understands, preferred first. */
    public static final String MANIFEST_ACCEPT = String.join(", ", OCI_INDEX, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST, OCI_MANIFEST);

    static final Set<String> IMAGE_MANIFESTS = Set.of(DOCKER_MANIFEST, OCI_MANIFEST);
    static final Set<String> INDEXES = Set.of(DOCKER_MANIFEST_LIST, OCI_INDEX);
    static final Set<String> LAYERS = Set.of(DOCKER_LAYER_GZIP, DOCKER_FOREIGN_LAYER_GZIP, OCI_LAYER, OCI_LAYER_GZIP,
            OCI_NONDISTRIBUTABLE_LAYER, OCI_NONDISTRIBUTABLE_LAYER_GZIP);

    private MediaTypes() {
    }
}
