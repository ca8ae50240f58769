package dev.tallyman.host.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apache Kafka broker for a test: KRaft, one node that is broker and controller, on free loopback ports,
 * its log dir under a temp folder, run as a child JVM from the test class path (kafka_2.13, test scope). It can
 * be killed (SIGKILL) and started again on the same ports and data, as an outage would leave it.
 */
public final class KafkaBroker implements AutoCloseable {
    public final int port = freePort();
    private final int controllerPort = freePort();
    private final Path dir;
    private final Path properties;
    private final Path log;
    private Process process;

    public KafkaBroker(String name) {
        try {
            dir = Files.createTempDirectory(name + "-kafka");
            properties = dir.resolve("server.properties");
            log = Path.of("target/" + name + "-kafka.log").toAbsolutePath();
            Files.writeString(properties, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "controller.listener.names=CONTROLLER",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "inter.broker.listener.name=PLAINTEXT",
                    "log.dirs=" + dir.resolve("data"),
                    "num.partitions=4",
                    // one node: the internal topics cannot have more replicas, and without them consumers read nothing
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    // a restart after SIGKILL waits out the old session: short ones make it seconds, not a quarter minute
                    "broker.heartbeat.interval.ms=500",
                    "broker.session.timeout.ms=2000",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        java("kafka.tools.StorageTool", "format", "-t", UUID.randomUUID().toString(), "-c", properties.toString())
                .waitForSuccess(Duration.ofSeconds(120));
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public void start() {
        process = java(KafkaBrokerMain.class.getName(), properties.toString()).process;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("kafka broker exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(200);
            }
        }
        throw new AssertionError("kafka broker not listening after 120 s; see " + log);
    }

    /** SIGKILL, as a crashed broker host would leave it. */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Child java(String main, String... args) {
        List<String> command = new ArrayList<>(List.of("java", "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            return new Child(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Child(Process process) {
        void waitForSuccess(Duration limit) {
            try {
                if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
                    process.destroyForcibly();
                    throw new AssertionError("kafka storage format failed: " + process.info());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
