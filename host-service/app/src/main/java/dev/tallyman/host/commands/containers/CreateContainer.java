package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * docker create, in domain terms. Empty optionals and null lists mean "take the image's".
 *
 * @param name the name asked for, or empty for a generated one
 * @param image the image as the user named it
 */
public record CreateContainer(
        Optional<String> name,
        String image,
        Optional<List<String>> entrypoint,
        Optional<List<String>> cmd,
        List<String> env,
        String workingDir,
        Optional<String> user,
        String hostname,
        Map<String, String> labels,
        String networkMode,
        boolean autoRemove,
        boolean tty,
        boolean openStdin,
        ContainerSpec.RestartPolicy restartPolicy,
        Optional<String> stopSignal,
        Optional<Integer> stopTimeout,
        ContainerSpec.ContainerLimits limits,
        ContainerSpec.ContainerSecurity security,
        Map<String, String> tmpfs,
        Map<String, String> logOptions,
        boolean stdinOnce,
        List<dev.tallyman.audit.event.ContainerMount> mounts,
        List<String> volumesFrom) {

    public CreateContainer {
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        volumesFrom = volumesFrom == null ? List.of() : List.copyOf(volumesFrom);
        tmpfs = Map.copyOf(tmpfs);
        logOptions = Map.copyOf(logOptions);
        entrypoint = entrypoint.map(List::copyOf);
        cmd = cmd.map(List::copyOf);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
    }

    /** The shape before mounts: none asked for. */
    public CreateContainer(Optional<String> name, String image, Optional<List<String>> entrypoint, Optional<List<String>> cmd,
                           List<String> env, String workingDir, Optional<String> user, String hostname,
                           Map<String, String> labels, String networkMode, boolean autoRemove, boolean tty, boolean openStdin,
                           ContainerSpec.RestartPolicy restartPolicy, Optional<String> stopSignal,
                           Optional<Integer> stopTimeout, ContainerSpec.ContainerLimits limits,
                           ContainerSpec.ContainerSecurity security, Map<String, String> tmpfs,
                           Map<String, String> logOptions, boolean stdinOnce) {
        this(name, image, entrypoint, cmd, env, workingDir, user, hostname, labels, networkMode, autoRemove, tty, openStdin,
                restartPolicy, stopSignal, stopTimeout, limits, security, tmpfs, logOptions, stdinOnce, List.of(), List.of());
    }
}
