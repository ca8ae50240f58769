package dev.tallyman.host.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real service, started from the packaged jar as its own process with its own socket, data root and
 * database schema, so a test can stop it, kill it and start it again like an operator would.
 */
public final class TallymanProcess implements AutoCloseable {
    public final String name;
    public final Path socket;
    public final Path dataRoot;
    public final Path execRoot;
    public final Path log;
    private final TestDatabase database;
    private final String storageDriver;
    private final Map<String, String> extraEnv = new java.util.LinkedHashMap<>();
    private Process process;

    public TallymanProcess(String name, TestDatabase database, String storageDriver) {
        this.name = name;
        this.database = database;
        this.storageDriver = storageDriver;
        this.socket = Path.of("/run/tallyman-it/" + name + ".sock");
        this.dataRoot = Path.of("/var/lib/tallyman-it/" + name);
        this.execRoot = Path.of("/run/tallyman-it/" + name + "-exec");
        this.log = Path.of("target/" + name + ".log");
    }

    /**
     * A setting for the service's environment (TALLYMAN_REGISTRY_MIRRORS, …), taking effect at the next start;
     * null leaves the variable out.
     */
    public TallymanProcess withEnv(String name, String value) {
        extraEnv.put(name, value);
        return this;
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    /** Waits for the service to end by itself (a crash a test asked for) and answers its exit code. */
    public int awaitExit(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("tallyman still running after " + limit + "; see " + log.toAbsolutePath());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static final Path SERVICE_JAVA = Path.of("../../ops/lib/service-java").toAbsolutePath().normalize();

    public String dockerHost() {
        return "unix://" + socket;
    }

    public Path runcRoot() {
        return execRoot.resolve("runc");
    }

    public void start() {
        try {
            Files.createDirectories(socket.getParent());
            Files.createDirectories(log.toAbsolutePath().getParent());
            String jar = System.getProperty("tallyman.it.jar", "target/quarkus-app/quarkus-run.jar");
            // the JVM as production runs it (ops/lib/service-java: its settings and Quarkus's class archive), which
            // also starts several times faster on two busy cores than the JVM's defaults
            ProcessBuilder builder = new ProcessBuilder(SERVICE_JAVA.toString());
            Map<String, String> env = builder.environment();
            env.put("TALLYMAN_JAR", Path.of(jar).toAbsolutePath().toString());
            env.remove("TALLYMAN_CDS_ARCHIVE");
            env.put("TALLYMAN_SOCKET", socket.toString());
            env.put("TALLYMAN_DATA_ROOT", dataRoot.toString());
            env.put("TALLYMAN_EXEC_ROOT", execRoot.toString());
            env.put("TALLYMAN_STORAGE_DRIVER", storageDriver);
            env.put("TALLYMAN_DB_URL", database.url());
            env.put("TALLYMAN_DB_USER", database.user);
            env.put("TALLYMAN_DB_PASSWORD", database.password);
            env.put("TALLYMAN_BRIDGE", bridgeName());
            env.put("TALLYMAN_NFT_TABLE", nftTable());
            // issue 11: the instance's own checkpoint key, and a checkpoint file per schema, so a data root left by
            // an earlier run never speaks for this run's fresh schema
            env.put("TALLYMAN_CHECKPOINT_KEY", dataRoot.resolve("config/checkpoint.key").toString());
            env.put("TALLYMAN_CHECKPOINT_FILE", dataRoot.resolve("evidence/" + database.schema + ".jsonl").toString());
            // a null value takes the variable away (a password the service must read from a file instead)
            extraEnv.forEach((key, value) -> {
                if (value == null) {
                    env.remove(key);
                } else {
                    env.put(key, value);
                }
            });
            builder.redirectErrorStream(true);
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            process = builder.start();
            awaitReady(Duration.ofSeconds(60));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("tallyman exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
            }
            if (Files.exists(socket)) {
                CommandResult ping = Shell.run("curl", "-sf", "--unix-socket", socket.toString(), "http://d/_ping");
                if (ping.exitCode() == 0 && ping.stdout().equals("OK")) {
                    return;
                }
            }
            sleep(100);
        }
        throw new AssertionError("tallyman not ready after " + limit + "; see " + log.toAbsolutePath());
    }

    /** SIGTERM and wait, as `ops/tallyman down` does. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitFor(30);
        }
    }

    /** SIGKILL: the service gets no chance to tidy up. */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitFor(30);
        }
    }

    public long pid() {
        return process.pid();
    }

    private void waitFor(int seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public CommandResult docker(String... args) {
        return dockerWithInput(null, args);
    }

    public CommandResult dockerWithInput(byte[] stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add("/usr/local/bin/docker");
        command.addAll(List.of(args));
        return Shell.run(command, Map.of("DOCKER_HOST", dockerHost(), "DOCKER_CONFIG", "/tmp/tallyman-it-docker-config"),
                stdin, 120);
    }

    /** An API call with curl: method, path, optional JSON body. Returns status code on the last line of stdout. */
    public CommandResult api(String method, String path, String body) {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-w", "\n%{http_code}", "--unix-socket",
                socket.toString(), "-X", method, "http://d" + path));
        if (body != null) {
            command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
        }
        return Shell.run(command, Map.of(), null, 60);
    }

    /** Mount points under this instance's roots, as /proc/self/mountinfo lists them. */
    public List<String> leftoverMounts() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> line.split(" ")[4])
                    .filter(p -> p.startsWith(dataRoot.toString()) || p.startsWith(execRoot.toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cgroups (v1, every controller) that runc made for a container and did not remove. */
    public static List<String> cgroupsOf(String containerId) {
        try (var controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            return controllers.map(c -> c.resolve("tallyman").resolve(containerId))
                    .filter(Files::isDirectory)
                    .map(Path::toString)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Containers runc still knows under this instance's runc root. */
    public List<String> leftoverRuncContainers() {
        if (!Files.isDirectory(runcRoot())) {
            return List.of();
        }
        CommandResult list = Shell.run("runc", "--root", runcRoot().toString(), "list", "-q");
        return list.stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    /** The instance's default bridge: its own name (at most 15 characters), so instances never share one. */
    public String bridgeName() {
        return "tmt" + Integer.toHexString(name.hashCode() & 0xfffffff);
    }

    /** The instance's nftables table (family ip). */
    public String nftTable() {
        return "tallyman_it_" + name.replaceAll("[^a-zA-Z0-9_]", "_");
    }

    /** The bridges of the instance's user networks ({@code tm-} and 12 characters of the id), read while it runs. */
    private List<String> userBridges() {
        if (process == null || !process.isAlive()) {
            return List.of();
        }
        CommandResult ids = docker("network", "ls", "-q", "--filter", "driver=bridge");
        return ids.stdout().lines().map(String::trim).filter(l -> l.length() >= 12)
                .map(l -> "tm-" + l.substring(0, 12)).toList();
    }

    /** Removes a bridge by name with the veths still enslaved to it. */
    private static void removeBridge(String bridge) {
        CommandResult ports = Shell.run("ip", "-o", "link", "show", "master", bridge);
        for (String line : ports.stdout().lines().toList()) {
            String[] f = line.split(":\\s+");
            if (f.length > 1) {
                String veth = f[1].contains("@") ? f[1].substring(0, f[1].indexOf('@')) : f[1];
                if (veth.startsWith("tmv")) {
                    Shell.run("ip", "link", "del", veth);
                }
            }
        }
        Shell.run("ip", "link", "del", bridge);
    }

    /** The safety net after a test's own assertions: removes whatever the instance left, by id and path. */
    @Override
    public void close() {
        List<String> bridges = new ArrayList<>(userBridges());
        bridges.add(bridgeName());
        kill();
        for (String id : leftoverRuncContainers()) {
            Shell.run("runc", "--root", runcRoot().toString(), "kill", id, "KILL");
            Shell.run("runc", "--root", runcRoot().toString(), "delete", "-f", id);
        }
        List<String> mounts = new ArrayList<>(leftoverMounts());
        mounts.sort(Comparator.comparing(String::length).reversed());
        for (String mount : mounts) {
            Shell.run("umount", "-l", mount);
        }
        for (String bridge : bridges) {
            removeBridge(bridge);
        }
        Shell.run("nft", "delete", "table", "ip", nftTable());
        Shell.run("rm", "-rf", dataRoot.toString(), execRoot.toString(), socket.toString());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
