package dev.tallyman.runtime.cgroups;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one container's cgroup lives: a folder per controller on cgroup v1 (including hybrid hosts, whose
 * empty v2 hierarchy at /sys/fs/cgroup/unified holds no controllers), or one folder on a v2-only host.
 *
 * @param controllers v1: controller name (memory, cpu, cpuacct, blkio, pids, freezer, cpuset) to its folder
 * @param unified v2: the container's folder in the unified hierarchy
 */
public record CgroupPaths(Map<String, Path> controllers, Optional<Path> unified) {
    static final List<String> V1_CONTROLLERS = List.of("memory", "cpu", "cpuacct", "cpuset", "blkio", "pids",
            "freezer");
    private static final ObjectMapper JSON = new ObjectMapper();

    public CgroupPaths {
        controllers = Map.copyOf(controllers);
        Objects.requireNonNull(unified, "unified");
    }

    /** Whether the hierarchy mounted at {@code root} is cgroup v2 (it then has cgroup.controllers at its top). */
    public static boolean isUnified(Path root) {
        return Files.isRegularFile(root.resolve("cgroup.controllers"));
    }

    /** The folders for runc's {@code cgroupsPath} (cgroupfs driver) under /sys/fs/cgroup, v1 or v2 as the host has. */
    public static CgroupPaths forHost(String cgroupsPath) {
        Path root = Path.of("/sys/fs/cgroup");
        return isUnified(root) ? v2(root, cgroupsPath) : v1(root, cgroupsPath);
    }

    public static CgroupPaths v1(Path root, String cgroupsPath) {
        Map<String, Path> paths = new LinkedHashMap<>();
        for (String controller : V1_CONTROLLERS) {
            paths.put(controller, below(root.resolve(controller), cgroupsPath));
        }
        return new CgroupPaths(paths, Optional.empty());
    }

    public static CgroupPaths v2(Path root, String cgroupsPath) {
        return new CgroupPaths(Map.of(), Optional.of(below(root, cgroupsPath)));
    }

    /**
     * The folders runc recorded in its state.json ({@code cgroup_paths}; the key "" is the v2 folder). This is
     * what runc really used, so it stays right whatever driver or parent made the path.
     */
    public static CgroupPaths fromRuncState(Path stateJson) {
        JsonNode paths;
        try {
            paths = JSON.readTree(stateJson.toFile()).path("cgroup_paths");
        } catch (IOException e) {
            throw new UncheckedIOException("read cgroup paths from " + stateJson + ": " + e.getMessage(), e);
        }
        Map<String, Path> controllers = new LinkedHashMap<>();
        Optional<Path> unified = Optional.empty();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().isEmpty()) {
                unified = Optional.of(Path.of(entry.getValue().asText()));
            } else {
                controllers.put(entry.getKey(), Path.of(entry.getValue().asText()));
            }
        }
        if (unified.isPresent() && controllers.isEmpty()) {
            return new CgroupPaths(Map.of(), unified);
        }
        return new CgroupPaths(controllers, Optional.empty());
    }

    public boolean isV2() {
        return unified.isPresent();
    }

    /** The v1 folder of {@code controller}, or the v2 folder; empty on v1 when the controller is not mounted. */
    Optional<Path> folder(String controller) {
        return unified.isPresent() ? unified : Optional.ofNullable(controllers.get(controller));
    }

    private static Path below(Path root, String cgroupsPath) {
        String relative = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
        return relative.isEmpty() ? root : root.resolve(relative);
    }
}
