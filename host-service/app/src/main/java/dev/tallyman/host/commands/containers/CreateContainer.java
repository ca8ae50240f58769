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
        Map<String, EndpointRequest> endpoints,
        List<dev.tallyman.audit.event.NetworkEvent.PublishedPort> portBindings,
        boolean publishAllPorts,
        List<String> exposedPorts,
        List<dev.tallyman.audit.event.ContainerMount> mounts,
        List<String> volumesFrom) {

    /**
     * One entry of NetworkingConfig.EndpointsConfig: --network-alias and --ip for a network.
     *
     * @param ipv4Address "" for any free address
     */
    public record EndpointRequest(List<String> aliases, String ipv4Address) {
        public EndpointRequest {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
            ipv4Address = ipv4Address == null ? "" : ipv4Address;
        }
    }

    /** Without networking or mount options: the network mode's network, no ports, no mounts. */
    public CreateContainer(Optional<String> name, String image, Optional<List<String>> entrypoint,
                           Optional<List<String>> cmd, List<String> env, String workingDir, Optional<String> user,
                           String hostname, Map<String, String> labels, String networkMode, boolean autoRemove,
                           boolean tty, boolean openStdin, ContainerSpec.RestartPolicy restartPolicy,
                           Optional<String> stopSignal, Optional<Integer> stopTimeout,
                           ContainerSpec.ContainerLimits limits, ContainerSpec.ContainerSecurity security,
                           Map<String, String> tmpfs, Map<String, String> logOptions, boolean stdinOnce) {
        this(name, image, entrypoint, cmd, env, workingDir, user, hostname, labels, networkMode, autoRemove, tty,
                openStdin, restartPolicy, stopSignal, stopTimeout, limits, security, tmpfs, logOptions, stdinOnce,
                Map.of(), List.of(), false, List.of(), List.of(), List.of());
    }

    public CreateContainer {
        endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
        portBindings = portBindings == null ? List.of() : List.copyOf(portBindings);
        exposedPorts = exposedPorts == null ? List.of() : List.copyOf(exposedPorts);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        volumesFrom = volumesFrom == null ? List.of() : List.copyOf(volumesFrom);
        tmpfs = Map.copyOf(tmpfs);
        logOptions = Map.copyOf(logOptions);
        entrypoint = entrypoint.map(List::copyOf);
        cmd = cmd.map(List::copyOf);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
    }
}
