package dev.tallyman.spi.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Needs root: makes real network namespaces under a temporary directory and removes them by path. */
class NetworkNamespacesTest {
    @TempDir
    Path temp;

    private final List<Path> made = new ArrayList<>();

    @AfterEach
    void removeWhatWasMade() throws IOException {
        for (Path file : made) {
            NetworkNamespaces.remove(file);
        }
    }

    private Path namespace(String name) {
        Path file = temp.resolve(name);
        made.add(file);
        return file;
    }

    @Test
    void createdNamespaceHasOnlyLoopbackAndItIsUp() throws Exception {
        Path ns = namespace("ns1");
        NetworkNamespaces.create(ns);

        assertThat(NetworkNamespaces.isNetworkNamespace(ns)).isTrue();
        String links = run("nsenter", "--net=" + ns, "ip", "-o", "link", "show");
        assertThat(links.lines()).hasSize(1);
        assertThat(links).contains("lo:").contains("UP");
    }

    @Test
    void callingThreadStaysInItsOwnNamespace() throws Exception {
        String before = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        Path ns = namespace("ns1");
        NetworkNamespaces.create(ns);
        String inside = NetworkNamespaces.inside(ns,
                () -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());

        assertThat(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString()).isEqualTo(before);
        assertThat(inside).isNotEqualTo(before);
    }

    @Test
    void processesStartedInsideRunInTheNamespace() throws Exception {
        Path ns = namespace("ns1");
        NetworkNamespaces.create(ns);
        String hostLinks = run("ip", "-o", "link", "show");
        String insideLinks = NetworkNamespaces.inside(ns, () -> run("ip", "-o", "link", "show"));

        assertThat(insideLinks.lines()).hasSize(1);
        assertThat(hostLinks.lines().count()).isGreaterThan(1);
    }

    @Test
    void createIsRepeatSafeAndKeepsTheSameNamespace() throws Exception {
        Path ns = namespace("ns1");
        NetworkNamespaces.create(ns);
        String first = NetworkNamespaces.inside(ns, () -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
        NetworkNamespaces.create(ns);
        String second = NetworkNamespaces.inside(ns, () -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());

        assertThat(second).isEqualTo(first);
    }

    @Test
    void removeUnmountsAndDeletesAndAbsentIsNothing() throws Exception {
        Path ns = namespace("ns1");
        NetworkNamespaces.create(ns);
        NetworkNamespaces.remove(ns);

        assertThat(ns).doesNotExist();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(ns.toString());
        NetworkNamespaces.remove(ns);
        assertThat(NetworkNamespaces.isNetworkNamespace(ns)).isFalse();
    }

    @Test
    void plainFileIsNotANamespace() throws Exception {
        Path file = Files.writeString(temp.resolve("plain"), "x");
        assertThat(NetworkNamespaces.isNetworkNamespace(file)).isFalse();
    }

    @Test
    void createAndRemoveTakeAboutAMillisecond() throws Exception {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Path ns = namespace("timed" + i);
            long start = System.nanoTime();
            NetworkNamespaces.create(ns);
            NetworkNamespaces.remove(ns);
            micros.add((System.nanoTime() - start) / 1000);
        }
        Collections.sort(micros);
        long median = micros.get(micros.size() / 2);
        System.out.println("network namespace create+remove median " + median + " us");
        assertThat(median).isLessThan(20_000);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }
}
