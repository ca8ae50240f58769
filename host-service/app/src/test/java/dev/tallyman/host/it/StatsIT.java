package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker stats from the cgroups: one sample with --no-stream, a sample a second while streaming. */
class StatsIT extends ContainerItSupport {
    private static final Pattern LINE = Pattern.compile("(\\S+) ([0-9.]+)% ([0-9.]+)(\\S+) / ([0-9.]+)(\\S+) ([0-9.]+)% (\\d+)");

    @Override
    protected String instanceName() {
        return "stats";
    }

    @Test
    void noStreamShowsOneSaneSample() throws Exception {
        ok("run", "-d", "--name", "busy", "--cpus", "0.5", "--memory", "64m", "busybox", "sh", "-c", "while true; do :; done");
        ok("run", "-d", "--name", "idle", "busybox", "sleep", "600");
        sleep(1000);
        String out = ok("stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.MemPerc}} {{.PIDs}}",
                "busy", "idle");
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(2);

        Matcher busy = LINE.matcher(lines.get(0));
        assertThat(busy.matches()).as(lines.get(0)).isTrue();
        assertThat(busy.group(1)).isEqualTo("busy");
        // Half a CPU by quota: the share of one CPU that Docker reports lands near 50%.
        assertThat(Double.parseDouble(busy.group(2))).isBetween(25.0, 75.0);
        assertThat(busy.group(6)).isEqualTo("MiB");
        assertThat(Double.parseDouble(busy.group(5))).isEqualTo(64.0);
        assertThat(Double.parseDouble(busy.group(3))).isPositive();
        assertThat(busy.group(8)).isEqualTo("1");

        Matcher idle = LINE.matcher(lines.get(1));
        assertThat(idle.matches()).as(lines.get(1)).isTrue();
        assertThat(Double.parseDouble(idle.group(2))).isLessThan(5.0);
        assertThat(idle.group(8)).isEqualTo("1");

        CommandResult api = tallyman.api("GET", "/v1.50/containers/busy/stats?stream=false", null);
        String body = api.stdout().substring(0, api.stdout().lastIndexOf('\n'));
        JsonNode sample = new ObjectMapper().readTree(body);
        assertThat(sample.get("name").asText()).isEqualTo("/busy");
        assertThat(sample.get("cpu_stats").get("cpu_usage").get("total_usage").asLong()).isPositive();
        assertThat(sample.get("precpu_stats").get("cpu_usage").get("total_usage").asLong()).isPositive();
        assertThat(sample.get("memory_stats").get("limit").asLong()).isEqualTo(64L * 1024 * 1024);
        assertThat(sample.get("pids_stats").get("current").asInt()).isEqualTo(1);
    }

    @Test
    void streamingKeepsSamplingUntilStopped() throws Exception {
        ok("run", "-d", "--name", "streamed", "busybox", "sleep", "600");
        ProcessBuilder builder = new ProcessBuilder("/usr/local/bin/docker", "stats", "--format", "{{.Name}} {{.PIDs}}", "streamed");
        builder.environment().put("DOCKER_HOST", tallyman.dockerHost());
        builder.environment().put("DOCKER_CONFIG", "/tmp/tallyman-it-docker-config");
        builder.redirectErrorStream(true);
        Process stats = builder.start();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (var in = stats.getInputStream()) {
                in.transferTo(seen);
            } catch (java.io.IOException e) {
                // Ended by the test.
            }
        });
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (samples(seen) < 3 && System.nanoTime() < deadline) {
                sleep(200);
            }
            assertThat(samples(seen)).as(seen.toString(StandardCharsets.UTF_8)).isGreaterThanOrEqualTo(3);
            assertThat(stats.isAlive()).isTrue();
        } finally {
            stats.destroy();
            stats.waitFor(5, TimeUnit.SECONDS);
            reader.join(2000);
        }
        ok("rm", "-f", "streamed");
    }

    private static int samples(ByteArrayOutputStream seen) {
        synchronized (seen) {
            return (int) Pattern.compile("streamed 1").matcher(seen.toString(StandardCharsets.UTF_8)).results().count();
        }
    }
}
