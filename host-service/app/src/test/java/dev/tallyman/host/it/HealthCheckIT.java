package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Health checks through the docker CLI (issue 15): --health-* and an image's HEALTHCHECK, State.Health and
 * Config.Healthcheck, "(healthy)" in ps and --filter health=, health_status events, each change on the record
 * with the probe's exit code and output, and the health kept across a restart of the service.
 */
class HealthCheckIT extends ContainerItSupport {

    @Override
    protected String instanceName() {
        return "api-health";
    }

    private String health(String container) {
        return tallyman.docker("inspect", "--format", "{{.State.Health.Status}} {{.State.Health.FailingStreak}}", container)
                .stdout().trim();
    }

    @Test
    void probesMoveTheHealthAndEveryChangeIsOnTheRecord() {
        long since = Instant.now().getEpochSecond() - 1;
        String id = ok("run", "-d", "--name", "doc", "--health-cmd", "cat /ok", "--health-interval", "1s",
                "--health-retries", "2", "--health-timeout", "5s", "busybox", "sleep", "600").trim();
        assertThat(inspect("{{json .Config.Healthcheck}}", "doc"))
                .isEqualTo("{\"Test\":[\"CMD-SHELL\",\"cat /ok\"],\"Interval\":1000000000,\"Timeout\":5000000000,\"Retries\":2}");
        assertThat(health("doc")).startsWith("starting");
        assertThat(ok("ps", "--format", "{{.Status}}", "--filter", "name=doc")).contains("(health: starting)");

        eventually(Duration.ofSeconds(15), () -> health("doc"), "unhealthy 2"::equals);
        assertThat(ok("ps", "--format", "{{.Status}}", "--filter", "name=doc")).contains("(unhealthy)");
        assertThat(ok("ps", "-q", "--no-trunc", "--filter", "health=unhealthy").trim()).isEqualTo(id);
        assertThat(ok("ps", "-q", "--filter", "health=healthy").trim()).isEmpty();
        assertThat(inspect("{{range .State.Health.Log}}{{.ExitCode}}:{{.Output}}{{end}}", "doc"))
                .contains("1:cat: can't open '/ok': No such file or directory");

        ok("exec", "doc", "sh", "-c", "echo fine > /ok");
        eventually(Duration.ofSeconds(15), () -> health("doc"), "healthy 0"::equals);
        assertThat(ok("ps", "--format", "{{.Status}}", "--filter", "name=doc")).contains("(healthy)");
        assertThat(ok("ps", "-q", "--no-trunc", "--filter", "health=healthy").trim()).isEqualTo(id);

        List<String> changes = payloads(id, "container.health-changed");
        assertThat(changes).anyMatch(p -> p.contains("\"status\":\"starting\"") && p.contains("\"failingStreak\":1")
                && p.contains("\"exitCode\":1") && p.contains("can't open '/ok'"));
        assertThat(changes).anyMatch(p -> p.contains("\"status\":\"unhealthy\"") && p.contains("\"failingStreak\":2"));
        assertThat(changes).last().asString().contains("\"status\":\"healthy\"", "\"exitCode\":0", "fine");
        assertThat(events(id)).contains("container.health-changed SYSTEM healthcheck");
        assertThat(dockerEvents(since, "container=" + id, "{{.Action}}"))
                .contains("health_status: unhealthy", "health_status: healthy");

        // The service goes away and comes back: the container's health is what the record says, and probes go on.
        tallyman.stop();
        tallyman.start();
        assertThat(health("doc")).isEqualTo("healthy 0");
        ok("exec", "doc", "rm", "/ok");
        eventually(Duration.ofSeconds(15), () -> health("doc"), "unhealthy 2"::equals);
        ok("rm", "-f", "doc");
    }

    @Test
    void whileStartingProbesComeEveryStartInterval() {
        // An interval of a minute, but a start interval of 1 s during a minute's start period: healthy in seconds.
        ok("run", "-d", "--name", "quick", "--health-cmd", "true", "--health-interval", "60s",
                "--health-start-period", "60s", "--health-start-interval", "1s", "busybox", "sleep", "600");
        assertThat(inspect("{{json .Config.Healthcheck}}", "quick")).isEqualTo("{\"Test\":[\"CMD-SHELL\",\"true\"],"
                + "\"Interval\":60000000000,\"StartPeriod\":60000000000,\"StartInterval\":1000000000}");
        eventually(Duration.ofSeconds(10), () -> health("quick"), "healthy 0"::equals);
        ok("rm", "-f", "quick");
    }

    @Test
    void anImagesHealthcheckAppliesUnlessTurnedOff() throws Exception {
        Path ctx = Files.createTempDirectory("api-health-ctx");
        try {
            Files.writeString(ctx.resolve("Dockerfile"),
                    "FROM busybox\nHEALTHCHECK --interval=1s --retries=1 CMD [\"true\"]\n");
            CommandResult built = Shell.run(List.of("/usr/local/bin/docker", "build", "-q", "-t", "checked:1", ctx.toString()),
                    java.util.Map.of("DOCKER_HOST", tallyman.dockerHost(), "DOCKER_BUILDKIT", "0",
                            "DOCKER_CONFIG", "/tmp/tallyman-it-docker-config"), null, 120);
            assertThat(built.exitCode()).as(built.toString()).isZero();
        } finally {
            Shell.run("rm", "-rf", ctx.toString());
        }
        ok("run", "-d", "--name", "imaged", "checked:1", "sleep", "600");
        assertThat(inspect("{{json .Config.Healthcheck.Test}}", "imaged")).isEqualTo("[\"CMD\",\"true\"]");
        eventually(Duration.ofSeconds(15), () -> health("imaged"), "healthy 0"::equals);

        ok("run", "-d", "--name", "unchecked", "--no-healthcheck", "checked:1", "sleep", "600");
        assertThat(inspect("{{json .Config.Healthcheck.Test}}", "unchecked")).isEqualTo("[\"NONE\"]");
        assertThat(inspect("{{json .State.Health}}", "unchecked")).isEqualTo("null");
        assertThat(ok("ps", "--format", "{{.Names}}", "--filter", "health=none")).contains("unchecked").doesNotContain("imaged");
        ok("rm", "-f", "imaged", "unchecked");
    }
}
