package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Testcontainers for Java against Tallyman (issue 13), unchanged: a GenericContainer with an exposed port, an
 * HTTP wait strategy, exec and logs, and its resource reaper. Ryuk's image cannot be pulled here, so a stand-in
 * speaking Ryuk's protocol is built from busybox and the docker CLI and named through Testcontainers' own
 * setting for it (TESTCONTAINERS_RYUK_CONTAINER_IMAGE). The client runs in a JVM of its own and dies without
 * cleaning up, and the reaper must remove its container.
 */
class ClientTestcontainersIT extends ContainerItSupport {
    private static final String RYUK_IMAGE = "tallyman-it/ryuk:local";

    @Override
    protected String instanceName() {
        return "cli-testcontainers";
    }

    @Test
    void genericContainerWorksAndTheReaperRemovesItAfterTheClientDies() throws Exception {
        buildReaperImage();
        Path home = Files.createTempDirectory("cli-testcontainers-home");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DOCKER_HOST", tallyman.dockerHost());
        env.put("TESTCONTAINERS_RYUK_CONTAINER_IMAGE", RYUK_IMAGE);
        // Testcontainers remembers the strategy it found in ~/.testcontainers.properties: keep that in the test.
        List<String> command = List.of("java", "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"),
                GenericContainerProgram.class.getName(), "busybox:latest");
        CommandResult client = Shell.run(command, env, null, 120);
        Shell.run("rm", "-rf", home.toString());

        assertThat(client.exitCode()).as(client.toString()).isZero();
        Map<String, String> seen = new LinkedHashMap<>();
        client.stdout().lines().filter(l -> l.contains(": ")).forEach(l -> seen.put(l.substring(0, l.indexOf(": ")),
                l.substring(l.indexOf(": ") + 2)));
        // Testcontainers 2 probes /v1.44/_ping and, served, speaks the engine's API version.
        assertThat(seen.get("server version")).as(client.toString()).isEqualTo("1.50 28.2.0");
        assertThat(seen.get("http")).isEqualTo("hello from busybox");
        assertThat(seen.get("exec")).isEqualTo("3 42 oops");
        assertThat(seen.get("logs")).isEqualTo("serving");
        assertThat(seen.get("log wait")).isEqualTo("true");
        assertThat(seen.get("port wait")).isEqualTo("true");
        String session = seen.get("session");
        String container = seen.get("container");
        // The client is gone: the reaper removes its container, then itself (auto-remove).
        eventually(Duration.ofSeconds(40), () -> ok("ps", "-aq", "--no-trunc"),
                ids -> !ids.contains(container) && ok("ps", "-a", "--format", "{{.Image}}").isBlank());
        // The record tells the story whatever the timing: the session's container came and went, and so did the reaper.
        assertThat(dockerEvents(0, "label=org.testcontainers.sessionId=" + session, "{{.Action}} {{.Actor.ID}}"))
                .contains("create " + container, "start " + container, "destroy " + container);
        assertThat(dockerEvents(0, "image=" + RYUK_IMAGE, "{{.Action}}")).contains("create", "start", "die", "destroy");
        ok("rmi", RYUK_IMAGE);
    }

    /** docker build of the stand-in: busybox, the static docker CLI of this machine, the reaper scripts. */
    private void buildReaperImage() throws Exception {
        Path context = Files.createTempDirectory("cli-ryuk");
        for (String name : List.of("Dockerfile", "reaper", "reaper-session")) {
            try (var in = getClass().getResourceAsStream("/clients/ryuk/" + name)) {
                Files.copy(in, context.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        context.resolve("reaper").toFile().setExecutable(true, false);
        context.resolve("reaper-session").toFile().setExecutable(true, false);
        Files.copy(Path.of("/usr/local/bin/docker"), context.resolve("docker"));
        ok("build", "-q", "-t", RYUK_IMAGE, context.toString());
        Shell.run("rm", "-rf", context.toString());
    }
}
