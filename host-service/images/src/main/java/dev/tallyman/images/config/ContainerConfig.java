package dev.tallyman.images.config;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The defaults an image gives its containers: the {@code config} section of an image config, limited to what
 * images carry (no host settings). Empty lists and strings mean "not set": a container then gets the engine's default.
 * Maps and sets are kept sorted (iteration in key order) so that the config's JSON, and with it the image id, does not depend on insertion order.
 *
 * @param user         {@code USER}: user[:group], name or number
 * @param env          {@code KEY=value} entries, in order
 * @param cmd          default command (exec form; the shell form is stored as {@code /bin/sh -c ...})
 * @param entrypoint   entrypoint (exec form, as {@code cmd})
 * @param workingDir   absolute working directory
 * @param labels       labels, sorted by key
 * @param exposedPorts {@code port/proto} entries such as {@code 80/tcp}
 * @param volumes      absolute paths of anonymous volumes
 * @param stopSignal   signal sent by {@code docker stop}, as written ({@code SIGTERM}, {@code 9})
 * @param onBuild      {@code ONBUILD} triggers, as written
 * @param healthcheck  the health check, when the image defines one
 * @param shell        {@code SHELL}: the shell that shell-form RUN, CMD and ENTRYPOINT run under; empty means
 *                     the default {@code /bin/sh -c}
 */
public record ContainerConfig(
        String user,
        List<String> env,
        List<String> cmd,
        List<String> entrypoint,
        String workingDir,
        Map<String, String> labels,
        Set<String> exposedPorts,
        Set<String> volumes,
        String stopSignal,
        List<String> onBuild,
        Optional<Healthcheck> healthcheck,
        List<String> shell) {

    public static final ContainerConfig EMPTY = new ContainerConfig(
            "", List.of(), List.of(), List.of(), "", new TreeMap<>(), new TreeSet<>(), new TreeSet<>(), "", List.of(),
            Optional.empty(), List.of());

    public ContainerConfig {
        user = user == null ? "" : user;
        env = List.copyOf(env);
        cmd = List.copyOf(cmd);
        entrypoint = List.copyOf(entrypoint);
        workingDir = workingDir == null ? "" : workingDir;
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        exposedPorts = Collections.unmodifiableSortedSet(new TreeSet<>(exposedPorts));
        volumes = Collections.unmodifiableSortedSet(new TreeSet<>(volumes));
        stopSignal = stopSignal == null ? "" : stopSignal;
        onBuild = List.copyOf(onBuild);
        Objects.requireNonNull(healthcheck, "healthcheck");
        shell = shell == null ? List.of() : List.copyOf(shell);
    }

    /** The value of an environment variable, when set. */
    public Optional<String> envValue(String key) {
        String prefix = key + "=";
        for (String entry : env) {
            if (entry.startsWith(prefix)) {
                return Optional.of(entry.substring(prefix.length()));
            }
        }
        return Optional.empty();
    }

    public ContainerConfig withUser(String value) {
        return new ContainerConfig(value, env, cmd, entrypoint, workingDir, labels, exposedPorts, volumes, stopSignal, onBuild, healthcheck, shell);
    }

    public ContainerConfig withEnv(List<String> value) {
        return new ContainerConfig(user, value, cmd, entrypoint, workingDir, labels, exposedPorts, volumes, stopSignal, onBuild, healthcheck, shell);
    }

    public ContainerConfig withCmd(List<String> value) {
        return new ContainerConfig(user, env, value, entrypoint, workingDir, labels, exposedPorts, volumes, stopSignal, onBuild, healthcheck, shell);
    }

    public ContainerConfig withEntrypoint(List<String> value) {
        return new ContainerConfig(user, env, cmd, value, workingDir, labels, exposedPorts, volumes, stopSignal, onBuild, healthcheck, shell);
    }

    public ContainerConfig withWorkingDir(String value) {
        return new ContainerConfig(user, env, cmd, entrypoint, value, labels, exposedPorts, volumes, stopSignal, onBuild, healthcheck, shell);
    }

    public ContainerConfig withLabels(Map<String, String> value) {
        return new ContainerConfig(user, env, cmd, entrypoint, workingDir, new TreeMap<>(value), exposedPorts, volumes, stopSignal, onBuild, healthcheck, shell);
    }

    public ContainerConfig withExposedPorts(Set<String> value) {
        return new ContainerConfig(user, env, cmd, entrypoint, workingDir, labels, value, volumes, stopSignal, onBuild, healthcheck, shell);
    }

    public ContainerConfig withVolumes(Set<String> value) {
        return new ContainerConfig(user, env, cmd, entrypoint, workingDir, labels, exposedPorts, value, stopSignal, onBuild, healthcheck, shell);
    }

    public ContainerConfig withStopSignal(String value) {
        return new ContainerConfig(user, env, cmd, entrypoint, workingDir, labels, exposedPorts, volumes, value, onBuild, healthcheck, shell);
    }

    public ContainerConfig withOnBuild(List<String> value) {
        return new ContainerConfig(user, env, cmd, entrypoint, workingDir, labels, exposedPorts, volumes, stopSignal, value, healthcheck, shell);
    }

    public ContainerConfig withShell(List<String> value) {
        return new ContainerConfig(user, env, cmd, entrypoint, workingDir, labels, exposedPorts, volumes, stopSignal, onBuild, healthcheck, value);
    }

    public ContainerConfig withHealthcheck(Optional<Healthcheck> value) {
        return new ContainerConfig(user, env, cmd, entrypoint, workingDir, labels, exposedPorts, volumes, stopSignal, onBuild, value, shell);
    }
}
