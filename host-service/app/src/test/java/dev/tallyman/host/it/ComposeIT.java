package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker-compose 1.29 (Debian's, API 1.41) against Tallyman, unchanged (issue 13): one service on a user network
 * with a named volume and a published port, through up -d, ps, logs, exec, run --rm, port and down -v.
 */
class ComposeIT extends ContainerItSupport {
    private static final String PROJECT = "clitest";

    @Override
    protected String instanceName() {
        return "cli-compose";
    }

    @Test
    void aServiceOnAUserNetworkWithANamedVolumeAndAPublishedPort() throws Exception {
        Path dir = Files.createTempDirectory("cli-compose");
        try (InputStream in = getClass().getResourceAsStream("/clients/compose/docker-compose.yml")) {
            Files.copy(in, dir.resolve("docker-compose.yml"));
        }
        try {
            CommandResult up = compose(dir, "up", "-d");
            assertThat(up.stderr()).contains("Creating network \"clitest_backend\" with the default driver",
                    "Creating volume \"clitest_data\" with default driver", "Creating clitest_web_1 ... done");
            assertThat(ok("network", "ls", "--format", "{{.Name}}")).contains("clitest_backend");
            assertThat(ok("volume", "ls", "--format", "{{.Name}}")).contains("clitest_data");

            assertThat(compose(dir, "ps").stdout()).containsPattern("clitest_web_1 .* Up .*127\\.0\\.0\\.1:\\d+->80/tcp");
            eventually(java.time.Duration.ofSeconds(10), () -> compose(dir, "logs", "--no-color").stdout(),
                    logs -> logs.contains("web_1  | web up"));
            assertThat(compose(dir, "exec", "-T", "web", "cat", "/data/greeting").stdout()).isEqualTo("hello\n");
            assertThat(compose(dir, "run", "--rm", "web", "cat", "/data/greeting").stdout()).isEqualTo("hello\n");
            assertThat(ok("ps", "-a", "--format", "{{.Names}}").trim()).as("run --rm leaves nothing").isEqualTo("clitest_web_1");

            // Recreating reads the image's ContainerConfig (compose 1.29 fails on Docker 25+ for want of it); the volume stays.
            CommandResult recreated = compose(dir, "up", "-d", "--force-recreate");
            assertThat(recreated.stderr()).contains("Recreating clitest_web_1 ... done");
            assertThat(compose(dir, "exec", "-T", "web", "cat", "/data/greeting").stdout()).isEqualTo("hello\n");

            String port = compose(dir, "port", "web", "80").stdout().trim();
            assertThat(port).matches("127\\.0\\.0\\.1:\\d+");
            try (InputStream page = URI.create("http://" + port + "/greeting").toURL().openStream()) {
                assertThat(new String(page.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
            }

            CommandResult down = compose(dir, "down", "-v");
            assertThat(down.stderr()).contains("Removing clitest_web_1 ... done", "Removing network clitest_backend",
                    "Removing volume clitest_data");
            assertThat(ok("ps", "-aq")).isBlank();
            assertThat(ok("network", "ls", "--format", "{{.Name}}")).doesNotContain("clitest");
            assertThat(ok("volume", "ls", "-q")).isBlank();
        } finally {
            Shell.run(List.of("docker-compose", "-p", PROJECT, "-f", dir.resolve("docker-compose.yml").toString(), "down", "-v"),
                    Map.of("DOCKER_HOST", tallyman.dockerHost()), null, 60);
            Shell.run("rm", "-rf", dir.toString());
        }
    }

    private CommandResult compose(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("docker-compose", "-p", PROJECT, "-f",
                dir.resolve("docker-compose.yml").toString()));
        command.addAll(List.of(args));
        CommandResult result = Shell.run(command, Map.of("DOCKER_HOST", tallyman.dockerHost()), null, 120);
        assertThat(result.exitCode()).as(String.join(" ", command) + "\n" + result).isZero();
        return result;
    }
}
