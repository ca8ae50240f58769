package dev.tallyman.host.it;

import static dev.tallyman.host.it.ImageItSupport.eventTypes;
import static dev.tallyman.host.it.ImageItSupport.ok;
import static dev.tallyman.host.it.ImageItSupport.payloads;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * docker cp both ways, for running containers (through their rootfs mount) and stopped ones (through a mount
 * of their layer made for the copy), with Docker's errors, and hostile tars sent straight to the API that must
 * not write outside the container.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CopyIT {
    private Path dir;
    private TestDatabase database;
    private TallymanProcess tallyman;
    private long began;

    @BeforeAll
    void start() throws Exception {
        began = Instant.now().getEpochSecond() - 1;
        dir = Files.createTempDirectory("copy-it");
        database = new TestDatabase();
        tallyman = new TallymanProcess("copy", database, "overlay2");
        tallyman.start();
        ok(tallyman, "import", BusyboxTar.get().toString(), "busybox:latest");
    }

    @AfterAll
    void stop() {
        try {
            if (tallyman != null) {
                tallyman.close();
            }
        } finally {
            if (database != null) {
                database.close();
            }
            Shell.run("rm", "-rf", dir.toString());
        }
    }

    @Test
    @Order(1)
    void copyOutOfARunningAndAStoppedContainer() throws Exception {
        ok(tallyman, "run", "-d", "--name", "source", "busybox", "sh", "-c",
                "mkdir -p /data/sub; echo one > /data/one; echo two > /data/sub/two; ln -s /data/one /data/link; exec sleep 600");
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (tallyman.docker("exec", "source", "test", "-L", "/data/link").exitCode() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        ok(tallyman, "cp", "source:/data/one", out.resolve("one.txt").toString());
        assertThat(Files.readString(out.resolve("one.txt"))).isEqualTo("one\n");
        ok(tallyman, "cp", "source:/data", out.resolve("data").toString());
        assertThat(Files.readString(out.resolve("data/sub/two"))).isEqualTo("two\n");
        assertThat(Files.readSymbolicLink(out.resolve("data/link")).toString()).isEqualTo("/data/one");
        ok(tallyman, "cp", "-L", "source:/data/link", out.resolve("followed").toString());
        assertThat(Files.readString(out.resolve("followed"))).isEqualTo("one\n");

        CommandResult missing = tallyman.docker("cp", "source:/nonexistent", out.toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("Could not find the file /nonexistent in container source");
        CommandResult unknown = tallyman.docker("cp", "nosuchcontainer:/etc/passwd", out.toString());
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderr()).contains("No such container: nosuchcontainer");

        CommandResult tar = ok(tallyman, "cp", "source:/data/sub", "-");
        assertThat(tar.stdout()).contains("sub/").contains("sub/two");

        ok(tallyman, "stop", "-t", "1", "source");
        ok(tallyman, "cp", "source:/data/sub/two", out.resolve("two-stopped").toString());
        assertThat(Files.readString(out.resolve("two-stopped"))).isEqualTo("two\n");
        assertThat(tallyman.leftoverMounts()).as("the copy's mount of the stopped container is gone").isEmpty();
        ok(tallyman, "rm", "source");
    }

    @Test
    @Order(2)
    void copyIntoARunningAndAStoppedContainer() throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in.resolve("tree/deeper"));
        Files.writeString(in.resolve("note.txt"), "from the host\n");
        Files.writeString(in.resolve("tree/deeper/leaf"), "leaf\n");

        ok(tallyman, "run", "-d", "--name", "target", "busybox", "sleep", "600");
        ok(tallyman, "cp", in.resolve("note.txt").toString(), "target:/tmp/");
        ok(tallyman, "cp", in.resolve("note.txt").toString(), "target:/renamed.txt");
        ok(tallyman, "cp", in.resolve("tree").toString(), "target:/tmp/tree");
        assertThat(ok(tallyman, "exec", "target", "cat", "/tmp/note.txt", "/renamed.txt", "/tmp/tree/deeper/leaf").stdout())
                .isEqualTo("from the host\nfrom the host\nleaf\n");
        CommandResult stdin = tallyman.dockerWithInput(tarOf(Map.of("piped.txt", "piped\n")), "cp", "-", "target:/tmp");
        assertThat(stdin.exitCode()).as(stdin.toString()).isZero();
        assertThat(ok(tallyman, "exec", "target", "cat", "/tmp/piped.txt").stdout()).isEqualTo("piped\n");

        CommandResult notDir = tallyman.docker("cp", in.resolve("tree").toString(), "target:/renamed.txt");
        assertThat(notDir.exitCode()).isEqualTo(1);
        CommandResult noFolder = tallyman.docker("cp", in.resolve("note.txt").toString(), "target:/no/such/dir/");
        assertThat(noFolder.exitCode()).isEqualTo(1);

        ok(tallyman, "stop", "-t", "1", "target");
        ok(tallyman, "cp", in.resolve("note.txt").toString(), "target:/while-stopped.txt");
        assertThat(tallyman.leftoverMounts()).isEmpty();
        ok(tallyman, "start", "target");
        assertThat(ok(tallyman, "exec", "target", "cat", "/while-stopped.txt").stdout()).isEqualTo("from the host\n");
        ok(tallyman, "rm", "-f", "target");

        assertThat(payloads(database, "container.copied-in")).anySatisfy(p -> assertThat(p).contains("/tmp"));
        assertThat(eventTypes(database, "container.copied-in")).hasSizeGreaterThanOrEqualTo(5);
        CommandResult events = ok(tallyman, "events", "--since", Long.toString(began), "--until",
                Long.toString(Instant.now().getEpochSecond() + 1), "--filter", "event=extract-to-dir",
                "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}");
        assertThat(events.stdout().lines()).contains("container extract-to-dir target");
    }

    @Test
    @Order(3)
    void statHeaderDescribesThePath() {
        ok(tallyman, "run", "-d", "--name", "statted", "busybox", "sleep", "600");
        CommandResult head = Shell.run("curl", "-s", "-I", "--unix-socket", tallyman.socket.toString(),
                "http://d/v1.50/containers/statted/archive?path=/etc");
        String header = head.stdout().lines().filter(l -> l.toLowerCase().startsWith("x-docker-container-path-stat:"))
                .findFirst().orElseThrow(() -> new AssertionError("no stat header: " + head));
        String json = new String(Base64.getDecoder().decode(header.substring(header.indexOf(':') + 1).trim()), StandardCharsets.UTF_8);
        assertThat(json).contains("\"name\":\"etc\"").contains("\"mode\":" + ((1L << 31) | 0755)).contains("\"linkTarget\":\"\"");
        ok(tallyman, "rm", "-f", "statted");
    }

    @Test
    @Order(4)
    void hostileTarsWriteNothingOutsideTheContainer() throws Exception {
        ok(tallyman, "run", "-d", "--name", "victim", "busybox", "sleep", "600");
        Path outside = tallyman.dataRoot.resolve("escaped.txt");

        CommandResult climbing = put("victim", "/tmp", tar(List.of(file("../../../../../../" + outside.toString().substring(1), "x"))));
        assertThat(status(climbing)).isEqualTo(400);
        assertThat(climbing.stdout()).contains("leads outside the target folder");

        byte[] linkOut = tar(List.of(symlink("up", "../../../../.."), file("up/escaped.txt", "x")));
        assertThat(status(put("victim", "/tmp", linkOut))).isEqualTo(400);

        // An absolute symlink is taken inside the container, as a process there would see it: it leads to the
        // container's own /etc, never the host's.
        byte[] absolute = tar(List.of(symlink("root-link", "/"), file("root-link/etc/tallyman-planted", "planted\n")));
        assertThat(status(put("victim", "/tmp", absolute))).isEqualTo(200);
        assertThat(ok(tallyman, "exec", "victim", "cat", "/etc/tallyman-planted").stdout()).isEqualTo("planted\n");
        assertThat(Path.of("/etc/tallyman-planted")).doesNotExist();

        byte[] hardLink = tar(List.of(hardlink("passwd-link", "../../etc/shadow-of-host")));
        assertThat(status(put("victim", "/tmp", hardLink))).isEqualTo(400);

        assertThat(outside).doesNotExist();
        assertThat(tallyman.dataRoot.getParent().resolve("escaped.txt")).doesNotExist();
        assertThat(Path.of("/escaped.txt")).doesNotExist();
        // Each hostile copy is on the record as an attempt that failed, with the entry that was refused.
        assertThat(eventTypes(database, "container.copy-failed")).hasSizeGreaterThanOrEqualTo(3);
        assertThat(ImageItSupport.payloads(database, "container.copy-failed")).allSatisfy(p -> assertThat(p).contains("\"path\":\"/tmp\""));
        ok(tallyman, "rm", "-f", "victim");
    }

    private CommandResult put(String container, String path, byte[] tar) throws Exception {
        Path file = Files.createTempFile(dir, "put-", ".tar");
        Files.write(file, tar);
        return Shell.run("curl", "-s", "-w", "\n%{http_code}", "--unix-socket", tallyman.socket.toString(), "-X", "PUT",
                "-H", "Content-Type: application/x-tar", "--data-binary", "@" + file,
                "http://d/v1.50/containers/" + container + "/archive?path=" + path + "&noOverwriteDirNonDir=true");
    }

    private static int status(CommandResult curl) {
        String[] lines = curl.stdout().split("\n");
        return Integer.parseInt(lines[lines.length - 1].trim());
    }

    private static byte[] tarOf(Map<String, String> files) throws Exception {
        return tar(files.entrySet().stream().map(e -> file(e.getKey(), e.getValue())).toList());
    }

    /** One tar entry and, for a regular file, its content. */
    private record Entry(TarArchiveEntry header, byte[] content) {
    }

    private static Entry file(String name, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
        e.setSize(bytes.length);
        e.setMode(0644);
        return new Entry(e, bytes);
    }

    private static Entry symlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
        e.setLinkName(target);
        return new Entry(e, new byte[0]);
    }

    private static Entry hardlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
        e.setLinkName(target);
        return new Entry(e, new byte[0]);
    }

    private static byte[] tar(List<Entry> entries) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry e : entries) {
                out.putArchiveEntry(e.header());
                out.write(e.content());
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }
}
