package dev.tallyman.host.api;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of {@code GET /info} that come from configuration and the host, in Docker's shapes (moby
 * api/swagger.yaml, SystemInfo), so {@code docker info} prints its Registry Mirrors, Insecure Registries, Default
 * Address Pools, Runtimes, Logging Driver and Live Restore lines from them.
 */
final class InfoFields {
    // runc's commit, asked at the first docker info rather than at start: a fork less before the first _ping
    private static final Map<Path, String> RUNC_COMMITS = new java.util.concurrent.ConcurrentHashMap<>();
    private InfoFields() {
    }

    static void applySettings(Map<String, Object> info, InfoSettings s, Path dataRoot) {
        info.put("LoggingDriver", s.loggingDriver());
        // Docker lists its shims beside runc; Tallyman has one runtime, runc under conmon.
        info.put("Runtimes", Map.of("runc", Map.of("path", s.runcPath().toString())));
        info.put("DefaultRuntime", "runc");
        String commit = RUNC_COMMITS.computeIfAbsent(s.runcPath(), InfoSettings::runcCommit);
        info.put("RuncCommit", Map.of("ID", commit, "Expected", commit));
        info.put("CgroupDriver", "cgroupfs");
        info.put("CgroupVersion", s.cgroupVersion());
        // Containers outlive the service by design (conmon), which is what Docker calls live restore.
        info.put("LiveRestoreEnabled", true);
        info.put("RegistryConfig", registryConfig(s.insecureRegistries(), s.mirrors()));
        if (!s.addressPools().isEmpty()) {
            List<Map<String, Object>> pools = new ArrayList<>();
            for (String pool : s.addressPools().split(",")) {
                int colon = pool.lastIndexOf(':');
                pools.add(Map.of("Base", pool.substring(0, colon).trim(), "Size", Integer.parseInt(pool.substring(colon + 1).trim())));
            }
            info.put("DefaultAddressPools", pools);
        }
        if (s.configFile() != null) {
            // Docker prints its labels; the file an operator's settings came from is worth seeing the same way.
            info.put("Labels", List.of("dev.tallyman.config-file=" + s.configFile()));
        }
    }

    /**
     * Docker's RegistryConfig: CIDR entries in InsecureRegistryCIDRs (127.0.0.0/8 always), host names in
     * IndexConfigs with Secure false, docker.io with the mirrors.
     */
    static Map<String, Object> registryConfig(List<String> insecure, List<URI> mirrors) {
        List<String> cidrs = new ArrayList<>(List.of("127.0.0.0/8"));
        Map<String, Object> indexes = new LinkedHashMap<>();
        List<String> mirrorTexts = mirrors.stream().map(m -> m.toString().endsWith("/") ? m.toString() : m + "/").toList();
        indexes.put("docker.io", Map.of("Name", "docker.io", "Mirrors", mirrorTexts, "Secure", true, "Official", true));
        for (String entry : insecure) {
            if (entry.matches("[0-9.]+/[0-9]+")) {
                if (!cidrs.contains(entry)) {
                    cidrs.add(entry);
                }
            } else {
                indexes.put(entry, Map.of("Name", entry, "Mirrors", List.of(), "Secure", false, "Official", false));
            }
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("AllowNondistributableArtifactsCIDRs", List.of());
        config.put("AllowNondistributableArtifactsHostnames", List.of());
        config.put("InsecureRegistryCIDRs", cidrs);
        config.put("IndexConfigs", indexes);
        config.put("Mirrors", mirrorTexts);
        return config;
    }

    /** The host's memory (MemTotal of /proc/meminfo, in bytes), as Docker reports it; not the JVM's heap. */
    static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return 0;
    }

    /** Docker's DriverStatus: the backing filesystem under the data root, and d_type for overlay2. */
    static List<List<String>> driverStatus(String driver, Path dataRoot) {
        String backing = backingFilesystem(dataRoot);
        List<List<String>> status = new ArrayList<>();
        status.add(List.of("Backing Filesystem", backing));
        if (driver.equals("overlay2")) {
            // overlay2's probe refuses a data root without d_type, so a running overlay2 has it
            status.add(List.of("Supports d_type", "true"));
            status.add(List.of("Native Overlay Diff", "true"));
            status.add(List.of("userxattr", "false"));
        }
        return status;
    }

    /** Docker's names: ext2/3/4 are "extfs". */
    static String backingFilesystem(Path dataRoot) {
        try {
            String type = Files.getFileStore(dataRoot).type();
            return type.startsWith("ext") ? "extfs" : type;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
