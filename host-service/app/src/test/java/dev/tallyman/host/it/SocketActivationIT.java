package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Started the way tallyman.socket starts it (systemd's socket hand-off, here by systemd-socket-activate, which
 * passes the listening socket as systemd does): the connection that triggered the start is closed, not left
 * hanging; the service then answers on the same path and still knows each caller by SO_PEERCRED.
 */
class SocketActivationIT {
    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final Path ACTIVATE = Path.of("/usr/bin/systemd-socket-activate");

    @Test
    void theServiceTakesThePathOverAndAnswersOnIt() throws Exception {
        assumeTrue(Files.isExecutable(ACTIVATE), "systemd-socket-activate is not installed here (package systemd)");
        try (TestDatabase database = new TestDatabase();
             TallymanProcess names = new TallymanProcess("opr-activate", database, "overlay2")) {
            Files.createDirectories(names.socket.getParent());
            Files.deleteIfExists(names.socket);
            List<String> command = new ArrayList<>(List.of(ACTIVATE.toString(), "-l", names.socket.toString()));
            Map<String, String> env = Map.of("TALLYMAN_SOCKET", names.socket.toString(),
                    "TALLYMAN_DATA_ROOT", names.dataRoot.toString(), "TALLYMAN_EXEC_ROOT", names.execRoot.toString(),
                    "TALLYMAN_DB_URL", database.url(), "TALLYMAN_DB_USER", database.user,
                    "TALLYMAN_DB_PASSWORD", database.password, "TALLYMAN_BRIDGE", names.bridgeName(),
                    "TALLYMAN_NFT_TABLE", names.nftTable(), "PATH", System.getenv("PATH"),
                    "TALLYMAN_JAR", Path.of(System.getProperty("tallyman.it.jar", "target/quarkus-app/quarkus-run.jar"))
                            .toAbsolutePath().toString());
            env.forEach((k, v) -> command.addAll(List.of("-E", k + "=" + v)));
            command.add(REPO.resolve("ops/lib/service-java").toString());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(names.log.toFile()));
            Process activator = builder.start();
            try {
                for (int i = 0; i < 100 && !Files.exists(names.socket); i++) {
                    Thread.sleep(50);
                }
                assertThat(names.socket).exists();
                // The first connection starts the service and is closed by it: it ends, it does not hang.
                long began = System.nanoTime();
                CommandResult first = Shell.run("curl", "-s", "--max-time", "60", "--unix-socket", names.socket.toString(), "http://d/_ping");
                assertThat(first.exitCode()).as(first.toString()).isNotZero().isNotEqualTo(28);
                assertThat(System.nanoTime() - began).isLessThan(TimeUnit.SECONDS.toNanos(60));

                String ping = "";
                for (int i = 0; i < 600 && !ping.equals("OK"); i++) {
                    Thread.sleep(100);
                    ping = Shell.run("curl", "-s", "--max-time", "2", "--unix-socket", names.socket.toString(), "http://d/_ping").stdout();
                }
                assertThat(ping).isEqualTo("OK");
                CommandResult create = names.docker("network", "create", "opr-activated");
                assertThat(create.exitCode()).as(create.toString()).isZero();
                CommandResult events = names.docker("events", "--since", "10m", "--until",
                        Long.toString(System.currentTimeMillis() / 1000 + 1), "--filter", "event=create", "--format",
                        "{{.Type}} {{index .Actor.Attributes \"tallyman.actor\"}} {{index .Actor.Attributes \"tallyman.actor.uid\"}}");
                assertThat(events.stdout().lines().toList()).as(events.toString()).contains("network socket 0");
                names.docker("network", "rm", "opr-activated");
            } finally {
                activator.destroy();
                if (!activator.waitFor(30, TimeUnit.SECONDS)) {
                    activator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
