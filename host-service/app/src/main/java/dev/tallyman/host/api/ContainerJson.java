package dev.tallyman.host.api;

import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Containers in Docker's JSON shapes: the ps summary and the inspect document. */
final class ContainerJson {
    private ContainerJson() {
    }

    /** One row of GET /containers/json. */
    static Map<String, Object> summary(ContainerView c, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Names", List.of("/" + c.name()));
        m.put("Image", c.spec().image());
        m.put("ImageID", c.spec().imageId());
        m.put("Command", commandLine(c.spec()));
        m.put("Created", c.created().getEpochSecond());
        m.put("Ports", List.of());
        m.put("Labels", c.spec().labels());
        m.put("State", c.state().dockerStatus());
        m.put("Status", status(c, now));
        m.put("HostConfig", Map.of("NetworkMode", c.spec().networkMode()));
        m.put("NetworkSettings", Map.of("Networks", networks(c)));
        m.put("Mounts", List.of());
        return m;
    }

    /** The STATUS column: "Created", "Up 3 seconds", "Exited (0) 2 minutes ago". */
    static String status(ContainerView c, Instant now) {
        return switch (c.state()) {
            case CREATING, CREATED -> "Created";
            case RUNNING -> "Up " + DockerTime.human(Duration.between(c.startedAt().orElse(now), now));
            case PAUSED -> "Up " + DockerTime.human(Duration.between(c.startedAt().orElse(now), now)) + " (Paused)";
            case RESTARTING -> "Restarting (" + c.exitCode() + ") "
                    + DockerTime.human(Duration.between(c.finishedAt().orElse(now), now)) + " ago";
            case EXITED -> c.finishedAt()
                    .map(f -> "Exited (" + c.exitCode() + ") " + DockerTime.human(Duration.between(f, now)) + " ago")
                    .orElse("Exited (" + c.exitCode() + ")");
            case REMOVING -> "Removal In Progress";
            case DEAD -> "Dead";
        };
    }

    /** GET /containers/{id}/json. */
    static Map<String, Object> inspect(ContainerView c, String logPath, String rootfsPath, String storageDriver,
                                       List<String> execIds) {
        ContainerSpec spec = c.spec();
        List<String> process = new ArrayList<>(spec.entrypoint());
        process.addAll(spec.cmd());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Created", DockerTime.rfc3339(c.created()));
        m.put("Path", process.isEmpty() ? "" : process.get(0));
        m.put("Args", process.isEmpty() ? List.of() : process.subList(1, process.size()));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Status", c.state().dockerStatus());
        state.put("Running", c.isRunning());
        state.put("Paused", c.state() == ContainerState.PAUSED);
        state.put("Restarting", c.state() == ContainerState.RESTARTING);
        state.put("OOMKilled", c.oomKilled());
        state.put("Dead", c.state() == ContainerState.DEAD);
        state.put("Pid", c.pid());
        state.put("ExitCode", c.exitCode());
        state.put("Error", c.error());
        state.put("StartedAt", DockerTime.rfc3339(c.startedAt()));
        state.put("FinishedAt", DockerTime.rfc3339(c.finishedAt()));
        m.put("State", state);
        m.put("Image", spec.imageId());
        m.put("ResolvConfPath", "");
        m.put("HostnamePath", "");
        m.put("HostsPath", "");
        m.put("LogPath", logPath);
        m.put("Name", "/" + c.name());
        m.put("RestartCount", c.restartCount());
        m.put("Driver", storageDriver);
        m.put("Platform", "linux");
        m.put("MountLabel", "");
        m.put("ProcessLabel", "");
        m.put("AppArmorProfile", "");
        m.put("ExecIDs", execIds.isEmpty() ? null : execIds);
        m.put("HostConfig", hostConfig(spec));
        m.put("GraphDriver", Map.of("Name", storageDriver, "Data", Map.of("MergedDir", rootfsPath)));
        m.put("Mounts", List.of());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Hostname", spec.hostname());
        config.put("Domainname", "");
        config.put("User", spec.user());
        config.put("AttachStdin", false);
        config.put("AttachStdout", !spec.tty());
        config.put("AttachStderr", !spec.tty());
        config.put("Tty", spec.tty());
        config.put("OpenStdin", spec.openStdin());
        config.put("StdinOnce", spec.stdinOnce());
        config.put("Env", spec.env());
        config.put("Cmd", spec.cmd());
        config.put("Image", spec.image());
        config.put("Volumes", null);
        config.put("WorkingDir", spec.workingDir());
        config.put("Entrypoint", spec.entrypoint().isEmpty() ? null : spec.entrypoint());
        config.put("OnBuild", null);
        config.put("Labels", spec.labels());
        if (!spec.stopSignal().isEmpty()) {
            config.put("StopSignal", spec.stopSignal());
        }
        if (spec.stopTimeout() >= 0) {
            config.put("StopTimeout", spec.stopTimeout());
        }
        m.put("Config", config);
        Map<String, Object> network = new LinkedHashMap<>();
        network.put("Bridge", "");
        network.put("SandboxID", "");
        network.put("HairpinMode", false);
        network.put("Ports", Map.of());
        network.put("SandboxKey", "");
        network.put("Networks", networks(c));
        m.put("NetworkSettings", network);
        return m;
    }

    /** HostConfig as docker inspect shows it: the options the container was created with, limits as stored. */
    static Map<String, Object> hostConfig(ContainerSpec spec) {
        ContainerSpec.ContainerLimits l = spec.limits();
        ContainerSpec.ContainerSecurity s = spec.security();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("NetworkMode", spec.networkMode());
        h.put("AutoRemove", spec.autoRemove());
        h.put("LogConfig", Map.of("Type", "json-file", "Config", spec.logOptions()));
        h.put("RestartPolicy", Map.of("Name", spec.restartPolicy().name(), "MaximumRetryCount", spec.restartPolicy().maximumRetryCount()));
        h.put("CapAdd", s.capAdd().isEmpty() ? null : s.capAdd());
        h.put("CapDrop", s.capDrop().isEmpty() ? null : s.capDrop());
        h.put("Privileged", s.privileged());
        h.put("ReadonlyRootfs", s.readonlyRootfs());
        h.put("SecurityOpt", s.noNewPrivileges() ? List.of("no-new-privileges") : null);
        h.put("Init", s.init() ? Boolean.TRUE : null);
        h.put("Tmpfs", spec.tmpfs().isEmpty() ? null : spec.tmpfs());
        h.put("Memory", l.memory());
        h.put("MemorySwap", l.memorySwap());
        h.put("NanoCpus", l.nanoCpus());
        h.put("CpuShares", l.cpuShares());
        h.put("CpusetCpus", l.cpusetCpus());
        h.put("PidsLimit", l.pidsLimit() > 0 ? l.pidsLimit() : null);
        h.put("Ulimits", l.ulimits().isEmpty() ? null : l.ulimits().stream().map(ContainerJson::ulimit).toList());
        h.put("ConsoleSize", List.of(0, 0));
        return h;
    }

    /** "nofile=1024:2048" as {"Name","Soft","Hard"}. */
    private static Map<String, Object> ulimit(String text) {
        int eq = text.indexOf('=');
        String[] limits = text.substring(eq + 1).split(":");
        long soft = Long.parseLong(limits[0]);
        long hard = limits.length > 1 ? Long.parseLong(limits[1]) : soft;
        return Map.of("Name", text.substring(0, eq), "Soft", soft, "Hard", hard);
    }

    private static Map<String, Object> networks(ContainerView c) {
        String mode = c.spec().networkMode();
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("NetworkID", mode);
        endpoint.put("EndpointID", "");
        endpoint.put("Gateway", "");
        endpoint.put("IPAddress", "");
        endpoint.put("IPPrefixLen", 0);
        endpoint.put("MacAddress", "");
        return Map.of(mode, endpoint);
    }

    /** The COMMAND column: entrypoint and cmd joined, each part quoted only if it has a space. */
    static String commandLine(ContainerSpec spec) {
        List<String> all = new ArrayList<>(spec.entrypoint());
        all.addAll(spec.cmd());
        return all.stream().map(a -> a.contains(" ") ? "\"" + a + "\"" : a).collect(Collectors.joining(" "));
    }
}
