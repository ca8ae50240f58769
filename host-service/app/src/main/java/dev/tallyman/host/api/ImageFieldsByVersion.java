package dev.tallyman.host.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fields of image answers that come and go with the API version a client asks for (moby's version history):
 * VirtualSize left the image list, image inspect and system df in 1.44; Container and ContainerConfig left
 * image inspect in 1.45. In the image list, untagged images showed {@code <none>:<none>} before 1.43, and the
 * count of containers using an image is given from 1.51 only (-1, "not computed", before).
 *
 * <p>One deliberate difference: Container and ContainerConfig stay at every version. docker-compose 1.29 asks
 * for the server's own API version and then looks up ContainerConfig.Volumes when it recreates a service, so
 * against Docker 25 and later it fails with KeyError 'ContainerConfig'. An extra field harms no client.
 */
final class ImageFieldsByVersion {
    private ImageFieldsByVersion() {
    }

    static void putVirtualSize(Map<String, Object> answer, ApiVersion version, long size) {
        if (!version.atLeast(1, 44)) {
            answer.put("VirtualSize", size);
        }
    }

    /** An image list row's RepoTags, RepoDigests and Containers for {@code version}. */
    static void shapeListRow(Map<String, Object> row, ApiVersion version, long containers) {
        if (!version.atLeast(1, 43) && row.get("RepoTags") instanceof java.util.List<?> tags && tags.isEmpty()
                && row.get("RepoDigests") instanceof java.util.List<?> digests && digests.isEmpty()) {
            row.put("RepoTags", java.util.List.of("<none>:<none>"));
            row.put("RepoDigests", java.util.List.of("<none>@<none>"));
        }
        row.put("Containers", version.atLeast(1, 51) ? containers : -1L);
    }

    /**
     * The container an image was committed from and its config. Tallyman keeps neither for imported, pulled or
     * built images, so these are Docker's empty values, which is what Docker shows for an imported image too.
     */
    static void putBuildContainer(Map<String, Object> answer) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Hostname", "");
        config.put("Domainname", "");
        config.put("User", "");
        config.put("AttachStdin", false);
        config.put("AttachStdout", false);
        config.put("AttachStderr", false);
        config.put("Tty", false);
        config.put("OpenStdin", false);
        config.put("StdinOnce", false);
        config.put("Env", null);
        config.put("Cmd", null);
        config.put("Image", "");
        config.put("Volumes", null);
        config.put("WorkingDir", "");
        config.put("Entrypoint", null);
        config.put("OnBuild", null);
        config.put("Labels", null);
        answer.put("Container", "");
        answer.put("ContainerConfig", config);
    }
}
