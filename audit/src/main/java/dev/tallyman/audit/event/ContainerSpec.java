package dev.tallyman.audit.event;

import java.util.List;
import java.util.Map;

/**
 * What a container was created with: the domain facts of {@code docker create}, free of Docker's JSON shapes.
 * Fields added after the first release are nullable in stored events; {@link #normalized()} gives their defaults.
 *
 * @param image the image as the user named it
 * @param imageId the image's id ("sha256:…") the name resolved to at create time
 * @param entrypoint the entrypoint in effect (from the image unless overridden)
 * @param cmd the command in effect (from the image unless overridden)
 * @param env the environment in effect, "KEY=value", image first, then -e
 * @param networkMode "none", "host", "bridge" or a network name
 * @param autoRemove --rm
 * @param restartPolicy --restart; null in events older than restart policies
 * @param stopSignal the signal docker stop sends first ("" for SIGTERM); null in older events
 * @param stopTimeout seconds docker stop waits before SIGKILL, -1 for the default; null in older events
 * @param limits cgroup limits; null in older events
 * @param security capabilities, privileges, read-only rootfs, init; null in older events
 * @param tmpfs --tmpfs mounts: path to mount options; null in older events
 * @param logOptions --log-opt (max-size, max-file, labels, env); null in older events
 * @param stdinOnce docker run -i: stdin closes when the first attached client ends its input; null in older events
 * @param networks the networks the container was created on, in connect order (the network mode's first); null in
 *                 older events; empty for {@code container:<id>}
 * @param portBindings -p, host port 0 for "any free port"; null in older events
 * @param publishAllPorts -P; null in older events
 * @param exposedPorts "80/tcp": the image's EXPOSE and --expose; null in older events
 * @param mounts binds, volumes and tmpfs mounts (-v, --mount, --volumes-from, image VOLUMEs); null in older events
 * @param volumesFrom --volumes-from as given ("db:ro"); null in older events
 * @param options log driver, extra groups and other later settings; null in older events
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
        String storageDriver,
        RestartPolicy restartPolicy,
        String stopSignal,
        Integer stopTimeout,
        ContainerLimits limits,
        ContainerSecurity security,
        Map<String, String> tmpfs,
        Map<String, String> logOptions,
        Boolean stdinOnce,
        List<NetworkMembership> networks,
        List<NetworkEvent.PublishedPort> portBindings,
        Boolean publishAllPorts,
        List<String> exposedPorts,
        List<ContainerMount> mounts,
        List<String> volumesFrom,
        ContainerOptions options) {

    /** The fields before {@link ContainerOptions}; those take their defaults. */
    public ContainerSpec(String image, String imageId, List<String> entrypoint, List<String> cmd, List<String> env,
                         String workingDir, String user, String hostname, Map<String, String> labels, String networkMode,
                         boolean autoRemove, boolean tty, boolean openStdin, String storageDriver,
                         RestartPolicy restartPolicy, String stopSignal, Integer stopTimeout, ContainerLimits limits,
                         ContainerSecurity security, Map<String, String> tmpfs, Map<String, String> logOptions,
                         Boolean stdinOnce, List<NetworkMembership> networks, List<NetworkEvent.PublishedPort> portBindings,
                         Boolean publishAllPorts, List<String> exposedPorts, List<ContainerMount> mounts,
                         List<String> volumesFrom) {
        this(image, imageId, entrypoint, cmd, env, workingDir, user, hostname, labels, networkMode, autoRemove, tty,
                openStdin, storageDriver, restartPolicy, stopSignal, stopTimeout, limits, security, tmpfs, logOptions,
                stdinOnce, networks, portBindings, publishAllPorts, exposedPorts, mounts, volumesFrom, null);
    }

    /** This spec after docker update: new limits and restart policy. */
    public ContainerSpec withUpdate(ContainerLimits newLimits, RestartPolicy newRestartPolicy) {
        return new ContainerSpec(image, imageId, entrypoint, cmd, env, workingDir, user, hostname, labels, networkMode,
                autoRemove, tty, openStdin, storageDriver, newRestartPolicy, stopSignal, stopTimeout, newLimits, security,
                tmpfs, logOptions, stdinOnce, networks, portBindings, publishAllPorts, exposedPorts, mounts, volumesFrom,
                options);
    }

    /** This spec with its later settings replaced. */
    public ContainerSpec withOptions(ContainerOptions newOptions) {
        return new ContainerSpec(image, imageId, entrypoint, cmd, env, workingDir, user, hostname, labels, networkMode,
                autoRemove, tty, openStdin, storageDriver, restartPolicy, stopSignal, stopTimeout, limits, security, tmpfs,
                logOptions, stdinOnce, networks, portBindings, publishAllPorts, exposedPorts, mounts, volumesFrom, newOptions);
    }

    public ContainerSpec {
        networks = networks == null ? null : List.copyOf(networks);
        portBindings = portBindings == null ? null : List.copyOf(portBindings);
        exposedPorts = exposedPorts == null ? null : List.copyOf(exposedPorts);
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        tmpfs = tmpfs == null ? null : Map.copyOf(tmpfs);
        logOptions = logOptions == null ? null : Map.copyOf(logOptions);
        mounts = mounts == null ? null : List.copyOf(mounts);
        volumesFrom = volumesFrom == null ? null : List.copyOf(volumesFrom);
    }

    /** This spec with its mounts replaced. */
    public ContainerSpec withMounts(List<ContainerMount> newMounts, List<String> newVolumesFrom) {
        return new ContainerSpec(image, imageId, entrypoint, cmd, env, workingDir, user, hostname, labels, networkMode,
                autoRemove, tty, openStdin, storageDriver, restartPolicy, stopSignal, stopTimeout, limits, security, tmpfs,
                logOptions, stdinOnce, networks, portBindings, publishAllPorts, exposedPorts, newMounts, newVolumesFrom, options);
    }

    /** The first release's fields only; everything newer takes its default. */
    public ContainerSpec(String image, String imageId, List<String> entrypoint, List<String> cmd, List<String> env,
                         String workingDir, String user, String hostname, Map<String, String> labels, String networkMode,
                         boolean autoRemove, boolean tty, boolean openStdin, String storageDriver) {
        this(image, imageId, entrypoint, cmd, env, workingDir, user, hostname, labels, networkMode, autoRemove, tty,
                openStdin, storageDriver, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The fields before networks and mounts; those take their defaults. */
    public ContainerSpec(String image, String imageId, List<String> entrypoint, List<String> cmd, List<String> env,
                         String workingDir, String user, String hostname, Map<String, String> labels, String networkMode,
                         boolean autoRemove, boolean tty, boolean openStdin, String storageDriver,
                         RestartPolicy restartPolicy, String stopSignal, Integer stopTimeout, ContainerLimits limits,
                         ContainerSecurity security, Map<String, String> tmpfs, Map<String, String> logOptions,
                         Boolean stdinOnce) {
        this(image, imageId, entrypoint, cmd, env, workingDir, user, hostname, labels, networkMode, autoRemove, tty,
                openStdin, storageDriver, restartPolicy, stopSignal, stopTimeout, limits, security, tmpfs, logOptions,
                stdinOnce, null, null, null, null, null, null);
    }

    /** This spec with every field that an older event lacks set to its default. */
    public ContainerSpec normalized() {
        if (restartPolicy != null && stopSignal != null && stopTimeout != null && limits != null && security != null
                && tmpfs != null && logOptions != null && stdinOnce != null && networks != null && portBindings != null
                && publishAllPorts != null && exposedPorts != null && mounts != null && volumesFrom != null
                && options != null) {
            // already normalized: every view of a container normalizes its spec, once per event in a replay
            return this;
        }
        return new ContainerSpec(image, imageId, entrypoint, cmd, env, workingDir, user, hostname, labels, networkMode,
                autoRemove, tty, openStdin, storageDriver,
                restartPolicy == null ? RestartPolicy.NO : restartPolicy,
                stopSignal == null ? "" : stopSignal,
                stopTimeout == null ? -1 : stopTimeout,
                limits == null ? ContainerLimits.NONE : limits,
                security == null ? ContainerSecurity.DEFAULT : security,
                tmpfs == null ? Map.of() : tmpfs,
                logOptions == null ? Map.of() : logOptions,
                stdinOnce != null && stdinOnce,
                networks == null ? List.of() : networks,
                portBindings == null ? List.of() : portBindings,
                publishAllPorts != null && publishAllPorts,
                exposedPorts == null ? List.of() : exposedPorts,
                mounts == null ? List.of() : mounts,
                volumesFrom == null ? List.of() : volumesFrom,
                options == null ? ContainerOptions.DEFAULT : options);
    }

    /** This spec with the network fields set (create fills them after resolving the networks). */
    public ContainerSpec withNetworking(String newNetworkMode, List<NetworkMembership> newNetworks,
                                        List<NetworkEvent.PublishedPort> newPortBindings, boolean newPublishAll,
                                        List<String> newExposedPorts) {
        return new ContainerSpec(image, imageId, entrypoint, cmd, env, workingDir, user, hostname, labels, newNetworkMode,
                autoRemove, tty, openStdin, storageDriver, restartPolicy, stopSignal, stopTimeout, limits, security, tmpfs,
                logOptions, stdinOnce, newNetworks, newPortBindings, newPublishAll, newExposedPorts, mounts, volumesFrom, options);
    }

    public ContainerSpec withHostname(String newHostname) {
        return new ContainerSpec(image, imageId, entrypoint, cmd, env, workingDir, user, newHostname, labels, networkMode,
                autoRemove, tty, openStdin, storageDriver, restartPolicy, stopSignal, stopTimeout, limits, security, tmpfs,
                logOptions, stdinOnce, networks, portBindings, publishAllPorts, exposedPorts, mounts, volumesFrom, options);
    }

    /** This spec with another environment: secrets redacted for the record, or put back for the process (issue 11). */
    public ContainerSpec withEnv(List<String> newEnv) {
        return new ContainerSpec(image, imageId, entrypoint, cmd, newEnv, workingDir, user, hostname, labels, networkMode,
                autoRemove, tty, openStdin, storageDriver, restartPolicy, stopSignal, stopTimeout, limits, security, tmpfs,
                logOptions, stdinOnce, networks, portBindings, publishAllPorts, exposedPorts, mounts, volumesFrom, options);
    }

    /**
     * Docker's --restart.
     *
     * @param name "no", "always", "unless-stopped" or "on-failure"
     * @param maximumRetryCount for on-failure: at most this many restarts, 0 for no limit
     */
    public record RestartPolicy(String name, int maximumRetryCount) {
        public static final RestartPolicy NO = new RestartPolicy("no", 0);
    }

    /**
     * Cgroup limits as Docker's flags give them; 0 (or "") means no limit.
     *
     * @param memorySwap -1 for unlimited swap, 0 for Docker's default (twice the memory)
     * @param nanoCpus --cpus × 10⁹
     * @param pidsLimit 0 or negative for no limit
     * @param ulimits "name=soft:hard" as given to --ulimit
     */
    public record ContainerLimits(long memory, long memorySwap, long nanoCpus, long cpuShares, String cpusetCpus,
                                  long pidsLimit, List<String> ulimits) {
        public static final ContainerLimits NONE = new ContainerLimits(0, 0, 0, 0, "", 0, List.of());

        public ContainerLimits {
            cpusetCpus = cpusetCpus == null ? "" : cpusetCpus;
            ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
        }
    }

    /** Privileges: --privileged, --cap-add/--cap-drop, --read-only, --security-opt no-new-privileges, --init. */
    public record ContainerSecurity(boolean privileged, List<String> capAdd, List<String> capDrop, boolean readonlyRootfs,
                                    boolean noNewPrivileges, boolean init) {
        public static final ContainerSecurity DEFAULT = new ContainerSecurity(false, List.of(), List.of(), false, false, false);

        public ContainerSecurity {
            capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
            capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
        }
    }
}
