package dev.tallyman.images.registry;

import dev.tallyman.images.reference.Digest;

/** What a registry holds under a tag or digest: one image's manifest, or an index of manifests per platform. */
public sealed interface RemoteManifest permits ImageManifest, ManifestIndex {

    /** The document's media type. */
    String mediaType();

    /** The digest of the exact bytes received: what {@code repo@sha256:...} names. */
    Digest digest();
}
