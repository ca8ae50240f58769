package dev.tallyman.host.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL cluster of a test's own, made and started by ops/lib/postgres like production's, which the test
 * may stop, start, freeze and thaw without touching the shared test cluster the other tests use.
 */
final class PrivateCluster {
    final Path dir;
    final int port;
    final Path secrets;

    PrivateCluster(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.secrets = dir.getParent().resolve("secrets");
    }

    /** The repository's ops/lib/postgres, from host-service/app where failsafe runs. */
    private static String script() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("ops/lib/postgres"))) {
                return p.resolve("ops/lib/postgres").toString();
            }
        }
        throw new AssertionError("no ops/lib/postgres above " + here);
    }

    void start() {
        CommandResult r = Shell.run(List.of(script(), "start", dir.toString(), Integer.toString(port)), java.util.Map.of(), null, 120);
        if (r.exitCode() != 0) {
            throw new AssertionError("start " + dir + ": " + r);
        }
    }

    void stop() {
        CommandResult r = Shell.run(List.of(script(), "stop", dir.toString(), Integer.toString(port)), java.util.Map.of(), null, 120);
        if (r.exitCode() != 0) {
            throw new AssertionError("stop " + dir + ": " + r);
        }
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/tallyman";
    }

    Path ownerPasswordFile() {
        return secrets.resolve("db-owner.password");
    }

    Path servicePasswordFile() {
        return secrets.resolve("db-service.password");
    }

    String ownerPassword() {
        return read(ownerPasswordFile());
    }

    String servicePassword() {
        return read(servicePasswordFile());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A schema of the test's own in this cluster, made by the owner role. */
    TestDatabase schema() {
        return new TestDatabase(url(), "tallyman", ownerPassword());
    }

    /**
     * The service as production runs it: connected as the service role, migrating as the owner, each password
     * read from its file; no password in its environment.
     */
    TallymanProcess service(String name, TestDatabase database) {
        return new TallymanProcess(name, database, "overlay2")
                .withEnv("TALLYMAN_DB_USER", "tallyman_service")
                .withEnv("TALLYMAN_DB_PASSWORD", null)
                .withEnv("TALLYMAN_DB_PASSWORD_FILE", servicePasswordFile().toString())
                .withEnv("TALLYMAN_DB_OWNER_USER", "tallyman")
                .withEnv("TALLYMAN_DB_OWNER_PASSWORD_FILE", ownerPasswordFile().toString());
    }

    /** The postmaster and every process it started (backends, checkpointer, …), by pid. */
    List<String> processes() {
        String postmaster = read(dir.resolve("postmaster.pid")).lines().findFirst().orElseThrow().strip();
        List<String> pids = new ArrayList<>(List.of(postmaster));
        Shell.run("pgrep", "-P", postmaster).stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(pids::add);
        return pids;
    }

    /** SIGSTOP to the postmaster and its children: connections are accepted by the kernel and never answered. */
    List<String> freeze() {
        List<String> pids = processes();
        signal("STOP", pids);
        return pids;
    }

    void thaw(List<String> pids) {
        signal("CONT", pids);
    }

    private static void signal(String signal, List<String> pids) {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        command.addAll(pids);
        Shell.run(command, java.util.Map.of(), null, 10);
    }
}
