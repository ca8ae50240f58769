package dev.tallyman.host.api;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code docker info} reports about the service's configuration, beyond the counts the projections give:
 * the settings it runs with (daemon.json, the environment) and facts about this host read once at start.
 *
 * @param loggingDriver the log driver containers get when they name none
 * @param runcPath the runc binary containers run under
 * @param insecureRegistries host[:port] or CIDR entries spoken to over plain HTTP (loopback always is)
 * @param mirrors registries serving docker.io names
 * @param addressPools base/len:size entries subnets come from ("" for Docker's defaults)
 * @param cgroupVersion "1" or "2", as the host mounts cgroups (hybrid counts as 1, as Docker counts it)
 * @param configFile the daemon.json read at start, or null when there was none
 */
public record InfoSettings(String loggingDriver, Path runcPath, List<String> insecureRegistries,
                           List<URI> mirrors, String addressPools, String cgroupVersion, Path configFile) {
    public InfoSettings {
        insecureRegistries = List.copyOf(insecureRegistries);
        mirrors = List.copyOf(mirrors);
    }

    /** 2 on a unified hierarchy (cgroup.controllers at the root), else 1: hybrid hosts are v1 to Docker too. */
    public static String hostCgroupVersion() {
        return java.nio.file.Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "2" : "1";
    }

    /** The "commit:" line of {@code runc --version}; "" when runc prints none. */
    public static String runcCommit(Path runc) {
        try {
            Process p = new ProcessBuilder(runc.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().filter(l -> l.startsWith("commit:")).map(l -> l.substring("commit:".length()).trim())
                    .findFirst().orElse("");
        } catch (java.io.IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
