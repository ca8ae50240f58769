package dev.tallyman.audit.event;

import java.util.List;
import java.util.Map;

/**
 * What a container was created with: the domain facts of {@code docker create}, free of Docker's JSON shapes.
 *
 * @param image the image as the user named it
 * @param imageId the image's id ("sha256:…") the name resolved to at create time
 * @param entrypoint the entrypoint in effect (from the image unless overridden)
 * @param cmd the command in effect (from the image unless overridden)
 * @param env the environment in effect, "KEY=value", image first, then -e
 * @param networkMode "none", "host", "bridge" or a network name
 * @param autoRemove --rm
 */
public record ContainerSpec(
        String image,
        String imageId,
        List<String> entrypoint,
        List<String> cmd,
        List<String> env,
        String workingDir,
        String user,
        String hostname,
        Map<String, String> labels,
        String networkMode,
        boolean autoRemove,
        boolean tty,
        boolean openStdin,
        String storageDriver) {

    public ContainerSpec {
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
    }
}
