package dev.tallyman.host.it;

import static dev.tallyman.host.it.ImageItSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The CVE-2018-15664 class: a container whose processes keep swapping a folder for a symlink (to the host
 * path of a canary folder, and to "/") while 1,000 docker cp calls go into and out of that folder through the
 * API. Afterwards the host's canary folder is exactly as it was (no new file, no mode changed), nothing landed
 * in the host's root, and the canary's secret never appeared in anything copied out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CopySymlinkRaceIT {
    private static final int COPIES_EACH_WAY = 500;

    private TestDatabase database;
    private TallymanProcess tallyman;
    private Path canary;
    private final String secret = "in12-SECRET-" + UUID.randomUUID();
    private final String plantedName = "in12-planted-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    void start() throws Exception {
        canary = Files.createTempDirectory("in12-canary-");
        Files.setPosixFilePermissions(canary, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(canary.resolve("secret.txt"), secret + "\n");
        Files.setPosixFilePermissions(canary.resolve("secret.txt"), PosixFilePermissions.fromString("rw-------"));
        Files.createDirectory(canary.resolve("sub"));
        Files.setPosixFilePermissions(canary.resolve("sub"), PosixFilePermissions.fromString("rwx------"));
        database = new TestDatabase();
        tallyman = new TallymanProcess("in12race", database, "overlay2");
        tallyman.start();
        ok(tallyman, "import", BusyboxTar.get().toString(), "busybox:latest");
    }

    @AfterAll
    void stop() {
        try {
            if (tallyman != null) {
                tallyman.docker("rm", "-f", "in12-swapper");
                tallyman.close();
            }
        } finally {
            if (database != null) {
                database.close();
            }
            if (canary != null) {
                Shell.run("rm", "-rf", canary.toString());
            }
        }
    }

    @Test
    void aContainerSwappingSymlinksNeverLeadsACopyOntoTheHost() throws Exception {
        Map<String, String> canaryBefore = snapshot(canary);
        // Two swappers: /w/d flips between a real folder and a symlink to the canary's host path (which means
        // nothing inside the container), /w/e between a real folder and a symlink to "/".
        String script = "mkdir -p /w/d/sub /w/e; echo inside > /w/d/secret.txt; "
                + "swap() { while :; do mv $1 $1.real; ln -s $2 $1; rm $1; mv $1.real $1; done; }; "
                + "swap /w/d " + canary + " & swap /w/e / & "
                + "while :; do mv /w/d/sub /w/d/sub.real; ln -s " + canary + "/sub /w/d/sub; rm /w/d/sub; mv /w/d/sub.real /w/d/sub; done";
        ok(tallyman, "run", "-d", "--name", "in12-swapper", "busybox", "sh", "-c", script);
        UnixSocketHttp http = new UnixSocketHttp(tallyman.socket);
        byte[] tar = plantTar();
        Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger leaks = new AtomicInteger();
        List<String> targetsIn = List.of("/w/d", "/w/e", "/w/d/sub", "/w");
        List<String> pathsOut = List.of("/w/d/secret.txt", "/w/d", "/w/d/sub", "/w/e/", "/w/d/", "/w/e/etc/hostname");
        long began = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < COPIES_EACH_WAY; i++) {
                int n = i;
                calls.add(pool.submit(() -> {
                    String into = targetsIn.get(n % targetsIn.size());
                    var put = http.call("PUT", "/v1.50/containers/in12-swapper/archive?path=" + into,
                            Map.of("Content-Type", "application/x-tar"), tar);
                    statuses.computeIfAbsent("PUT " + put.status(), k -> new AtomicInteger()).incrementAndGet();
                    String from = pathsOut.get(n % pathsOut.size());
                    var get = http.call("GET", "/v1.50/containers/in12-swapper/archive?path=" + from, Map.of(), null);
                    statuses.computeIfAbsent("GET " + get.status(), k -> new AtomicInteger()).incrementAndGet();
                    if (new String(get.body(), StandardCharsets.ISO_8859_1).contains(secret)) {
                        leaks.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        } finally {
            pool.shutdownNow();
            tallyman.docker("rm", "-f", "in12-swapper");
        }
        long seconds = (System.nanoTime() - began) / 1_000_000_000L;
        System.out.println("in12 race: " + (2 * COPIES_EACH_WAY) + " copies in " + seconds + " s, statuses " + new TreeMap<>(statuses));

        assertThat(leaks.get()).as("copies out that carried the host's secret").isZero();
        assertThat(snapshot(canary)).as("the host's canary folder").isEqualTo(canaryBefore);
        try (Stream<Path> rootEntries = Files.list(Path.of("/"))) {
            assertThat(rootEntries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("in12-planted")))
                    .as("files planted in the host's root").isEmpty();
        }
        // The race was real: copies both ways got through while the swappers ran.
        // A copy that loses the race is the container's doing: a 4xx (404 gone, 409 changed during the copy), never a 500.
        assertThat(statuses.keySet()).as("statuses").allMatch(s -> s.endsWith(" 200") || s.matches(".* 4\\d\\d"));
        assertThat(statuses.getOrDefault("PUT 200", new AtomicInteger()).get()).isGreaterThan(COPIES_EACH_WAY / 10);
        assertThat(statuses.getOrDefault("GET 200", new AtomicInteger()).get()).isGreaterThan(COPIES_EACH_WAY / 10);
    }

    /** Every path under the folder with its type, mode, size and (for files) content. */
    private static Map<String, String> snapshot(Path folder) throws IOException {
        Map<String, String> seen = new TreeMap<>();
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                String what = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir"
                        : Files.isSymbolicLink(p) ? "link" : "file " + Files.readString(p);
                seen.put(folder.relativize(p).toString(), mode + " " + what);
            }
        }
        return seen;
    }

    /** A file, a folder with a world-writable mode, and a file under a "sub" that the swapper turns into a symlink. */
    private byte[] plantTar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            byte[] content = "planted\n".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry file = new TarArchiveEntry(plantedName);
            file.setSize(content.length);
            file.setMode(0777);
            tar.putArchiveEntry(file);
            tar.write(content);
            tar.closeArchiveEntry();
            TarArchiveEntry dir = new TarArchiveEntry("sub/", TarConstants.LF_DIR);
            dir.setMode(0777);
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            TarArchiveEntry inSub = new TarArchiveEntry("sub/" + plantedName);
            inSub.setSize(content.length);
            inSub.setMode(04777);
            tar.putArchiveEntry(inSub);
            tar.write(content);
            tar.closeArchiveEntry();
            TarArchiveEntry deep = new TarArchiveEntry("d/sub/" + plantedName);
            deep.setSize(content.length);
            deep.setMode(0777);
            tar.putArchiveEntry(deep);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }
}
