package dev.tallyman.host.it;

import static dev.tallyman.host.it.ImageItSupport.blobs;
import static dev.tallyman.host.it.ImageItSupport.driverLayers;
import static dev.tallyman.host.it.ImageItSupport.eventTypes;
import static dev.tallyman.host.it.ImageItSupport.ok;
import static dev.tallyman.host.it.ImageItSupport.payloads;
import static dev.tallyman.host.it.ImageItSupport.uniqueImage;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The image lifecycle without a registry, through the real CLI: save and load (also across to a real Docker
 * engine and back), import with changes, export, commit, diff, shared layers, rmi and prune rules, history,
 * search, and image events.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArchiveCliIT {
    private static final String PEER_HOST = "unix:///run/tallyman-peer/docker.sock";
    private static final Path PEER_SCRIPT = Path.of("../../ops/lib/docker-peer").toAbsolutePath().normalize();

    private Path dir;
    private TestDatabase database;
    private TallymanProcess tallyman;
    private boolean startedPeer;
    private final List<String> peerImages = new ArrayList<>();
    private long began;

    @BeforeAll
    void start() throws Exception {
        began = Instant.now().getEpochSecond() - 1;
        dir = Files.createTempDirectory("archive-cli-it");
        database = new TestDatabase();
        tallyman = new TallymanProcess("archive", database, "overlay2");
        tallyman.start();
        ok(tallyman, "import", BusyboxTar.get().toString(), "busybox:latest");
    }

    @AfterAll
    void stop() {
        try {
            if (!peerImages.isEmpty()) {
                List<String> rmi = new ArrayList<>(List.of("/usr/local/bin/docker", "-H", PEER_HOST, "rmi", "-f"));
                rmi.addAll(peerImages);
                Shell.run(rmi, Map.of(), null, 60);
            }
            if (startedPeer) {
                Shell.run(PEER_SCRIPT.toString(), "stop");
            }
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

    private CommandResult peer(String... args) {
        List<String> command = new ArrayList<>(List.of("/usr/local/bin/docker", "-H", PEER_HOST));
        command.addAll(List.of(args));
        CommandResult result = Shell.run(command, Map.of("DOCKER_CONFIG", "/tmp/tallyman-it-docker-config"), null, 180);
        assertThat(result.exitCode()).as("peer docker " + String.join(" ", args) + "\n" + result).isZero();
        return result;
    }

    private void ensurePeer() {
        if (Shell.run(PEER_SCRIPT.toString(), "status").exitCode() != 0) {
            CommandResult started = Shell.run(List.of(PEER_SCRIPT.toString(), "start"), Map.of(), null, 300);
            assertThat(started.exitCode()).as("ops/lib/docker-peer start\n" + started).isZero();
            startedPeer = true;
        }
    }

    @Test
    @Order(1)
    void savedByTallymanRunsInDockerAndSavedByDockerRunsHere() throws Exception {
        ensurePeer();
        String ours = "tallyman-made/app:1";
        uniqueImage(tallyman, ours, 20_000);
        Path file = dir.resolve("ours.tar");
        ok(tallyman, "save", "-o", file.toString(), ours);
        CommandResult listing = Shell.run("tar", "tf", file.toString());
        assertThat(listing.stdout()).contains("manifest.json").contains("repositories").contains("/layer.tar");
        CommandResult toStdout = ok(tallyman, "save", ours);
        assertThat(toStdout.stdout().length()).isPositive();
        assertThat(Shell.run("sh", "-c", "DOCKER_HOST=" + tallyman.dockerHost() + " /usr/local/bin/docker save " + ours
                + " | cmp - " + file).exitCode()).as("save to stdout gives the same bytes as save -o").isZero();

        peerImages.add(ours);
        assertThat(peer("load", "-i", file.toString()).stdout()).contains("Loaded image: " + ours);
        assertThat(peer("run", "--rm", "--network", "none", ours).stdout()).isEqualTo(ours + "\n");

        String theirs = "docker-made/app:2";
        peerImages.add("docker-made/base:1");
        peerImages.add(theirs);
        peer("import", BusyboxTar.get().toString(), "docker-made/base:1");
        String maker = "tallyman-it-maker-" + System.nanoTime();
        peer("run", "--name", maker, "--network", "none", "docker-made/base:1", "sh", "-c", "echo made-by-docker > /msg");
        peer("commit", "-c", "CMD [\"cat\", \"/msg\"]", maker, theirs);
        peer("rm", maker);
        Path peerFile = dir.resolve("theirs.tar");
        peer("save", "-o", peerFile.toString(), theirs);

        CommandResult loaded = tallyman.dockerWithInput(Files.readAllBytes(peerFile), "load");
        assertThat(loaded.exitCode()).as(loaded.toString()).isZero();
        assertThat(loaded.stdout()).contains("Loaded image: " + theirs);
        assertThat(ok(tallyman, "run", "--rm", theirs).stdout()).isEqualTo("made-by-docker\n");
        assertThat(ok(tallyman, "load", "-i", peerFile.toString()).stdout()).contains("Loaded image: " + theirs);
        assertThat(ok(tallyman, "inspect", "--format", "{{.Id}}", theirs).stdout().trim())
                .isEqualTo(peer("inspect", "--format", "{{.Id}}", theirs).stdout().trim());

        assertThat(eventTypes(database, "image.")).contains("image.saved", "image.load-requested", "image.loaded");
    }

    @Test
    @Order(2)
    void aBrokenArchiveLoadsNothing() throws Exception {
        TreeSet<String> blobsBefore = blobs(tallyman);
        TreeSet<String> layersBefore = driverLayers(tallyman);
        Path file = dir.resolve("broken.tar");
        Files.writeString(file, "this is not a tar archive");
        CommandResult load = tallyman.docker("load", "-i", file.toString());
        assertThat(load.exitCode()).isEqualTo(1);
        assertThat(blobs(tallyman)).isEqualTo(blobsBefore);
        assertThat(driverLayers(tallyman)).isEqualTo(layersBefore);
        assertThat(eventTypes(database, "image.load-failed")).hasSize(1);
    }

    @Test
    @Order(3)
    void importKeepsChangesAndMessageFromFileAndStdin() throws Exception {
        ok(tallyman, "import", "-c", "CMD [\"echo\", \"imported\"]", "-c", "ENV MODE=file", "-m", "from a file",
                BusyboxTar.get().toString(), "imported:file");
        assertThat(ok(tallyman, "inspect", "--format", "{{.Config.Cmd}}|{{.Config.Env}}|{{.Comment}}", "imported:file").stdout().trim())
                .isEqualTo("[echo imported]|[MODE=file]|from a file");
        assertThat(ok(tallyman, "history", "--format", "{{.Comment}}", "imported:file").stdout()).contains("from a file");
        assertThat(ok(tallyman, "run", "--rm", "imported:file").stdout()).isEqualTo("imported\n");

        CommandResult stdin = tallyman.dockerWithInput(Files.readAllBytes(BusyboxTar.get()), "import",
                "--change", "WORKDIR /tmp", "--message", "from stdin", "-", "imported:stdin");
        assertThat(stdin.exitCode()).as(stdin.toString()).isZero();
        assertThat(ok(tallyman, "inspect", "--format", "{{.Config.WorkingDir}}|{{.Comment}}", "imported:stdin").stdout().trim())
                .isEqualTo("/tmp|from stdin");
        assertThat(ok(tallyman, "run", "--rm", "imported:stdin", "pwd").stdout()).isEqualTo("/tmp\n");
    }

    @Test
    @Order(4)
    void exportOfAContainerImportsBackToAnImageThatRuns() throws Exception {
        ok(tallyman, "run", "--name", "exported", "busybox", "sh", "-c", "echo kept-by-export > /kept; rm /bin/vi");
        Path file = dir.resolve("export.tar");
        ok(tallyman, "export", "-o", file.toString(), "exported");
        String listing = Shell.run("tar", "tf", file.toString()).stdout();
        assertThat(listing).contains("kept").contains("bin/busybox").doesNotContain("bin/vi").doesNotContain(".wh.");
        assertThat(ok(tallyman, "export", "exported").stdout().length()).isPositive();
        ok(tallyman, "import", file.toString(), "from-export:1");
        assertThat(ok(tallyman, "run", "--rm", "from-export:1", "cat", "/kept").stdout()).isEqualTo("kept-by-export\n");
        ok(tallyman, "rm", "exported");
        assertThat(eventTypes(database, "container.exported")).hasSize(2);
        CommandResult events = ok(tallyman, "events", "--since", Long.toString(began), "--until",
                Long.toString(Instant.now().getEpochSecond() + 1), "--filter", "event=export", "--format", "{{.Type}} {{.Action}}");
        assertThat(events.stdout().lines()).containsExactly("container export", "container export");
    }

    @Test
    @Order(5)
    void commitOfARunningContainerShowsAuthorMessageAndChanges() {
        ok(tallyman, "run", "-d", "--name", "committed", "busybox", "sh", "-c", "echo state > /state; exec sleep 600");
        waitFor(() -> tallyman.docker("exec", "committed", "cat", "/state").stdout().equals("state\n"));
        CommandResult commit = ok(tallyman, "commit", "-a", "Ada <ada@example.org>", "-m", "checkpoint one",
                "-c", "CMD [\"cat\", \"/state\"]", "-c", "LABEL stage=one", "-p", "committed", "checkpoint:1");
        String id = commit.stdout().trim();
        assertThat(id).matches("sha256:[0-9a-f]{64}");
        assertThat(ok(tallyman, "inspect", "--format", "{{.Author}}|{{.Comment}}|{{.Config.Cmd}}|{{.Config.Labels.stage}}",
                "checkpoint:1").stdout().trim()).isEqualTo("Ada <ada@example.org>|checkpoint one|[cat /state]|one");
        CommandResult history = ok(tallyman, "history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Comment}}", "checkpoint:1");
        List<String> rows = history.stdout().lines().toList();
        assertThat(rows.get(0)).isEqualTo(id + "|sh -c echo state > /state; exec sleep 600|checkpoint one");
        assertThat(rows).hasSize(2);
        assertThat(ok(tallyman, "run", "--rm", "checkpoint:1").stdout()).isEqualTo("state\n");
        assertThat(ok(tallyman, "inspect", "--format", "{{.State.Status}}", "committed").stdout().trim()).isEqualTo("running");
        ok(tallyman, "rm", "-f", "committed");

        assertThat(eventTypes(database, "container.p")).containsSubsequence("container.pause-requested", "container.paused");
        assertThat(payloads(database, "image.committed")).anySatisfy(p -> assertThat(p).contains(id)
                .contains("Ada <ada@example.org>").contains("checkpoint one"));
        CommandResult events = ok(tallyman, "events", "--since", Long.toString(began), "--until",
                Long.toString(Instant.now().getEpochSecond() + 1), "--filter", "event=commit",
                "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.imageID}}");
        assertThat(events.stdout().lines()).contains("container commit committed " + id);
    }

    @Test
    @Order(6)
    void diffListsAddedChangedAndDeletedPaths() {
        ok(tallyman, "run", "--name", "differ", "busybox", "sh", "-c",
                "echo new > /added.txt; echo more >> /etc/passwd; rm /etc/group; mkdir /newdir; rm /bin/vi");
        List<String> diff = ok(tallyman, "diff", "differ").stdout().lines().toList();
        assertThat(diff).contains("A /added.txt", "C /etc", "C /etc/passwd", "D /etc/group", "A /newdir", "C /bin", "D /bin/vi");
        assertThat(diff).doesNotContain("A /etc/hostname", "A /etc/hosts", "A /etc/resolv.conf");
        ok(tallyman, "commit", "differ", "diffed:1");
        CommandResult gone = tallyman.docker("run", "--rm", "diffed:1", "ls", "/etc/group");
        assertThat(gone.exitCode()).isNotZero();
        assertThat(ok(tallyman, "run", "--rm", "diffed:1", "cat", "/added.txt").stdout()).isEqualTo("new\n");
        ok(tallyman, "rm", "differ");
    }

    @Test
    @Order(7)
    void twoImagesOnOneBaseLayerKeepItOnce() {
        String base = ok(tallyman, "inspect", "--format", "{{index .RootFS.Layers 0}}", "busybox").stdout().trim();
        TreeSet<String> layersBefore = driverLayers(tallyman);
        TreeSet<String> blobsBefore = blobs(tallyman);
        uniqueImage(tallyman, "sharing:one", 10_000);
        uniqueImage(tallyman, "sharing:two", 10_000);
        for (String image : List.of("sharing:one", "sharing:two")) {
            assertThat(ok(tallyman, "inspect", "--format", "{{index .RootFS.Layers 0}} {{len .RootFS.Layers}}", image)
                    .stdout().trim()).isEqualTo(base + " 2");
        }
        TreeSet<String> newLayers = driverLayers(tallyman);
        newLayers.removeAll(layersBefore);
        assertThat(newLayers).as("one new top layer per image; the busybox layer is not copied").hasSize(2);
        TreeSet<String> newBlobs = blobs(tallyman);
        newBlobs.removeAll(blobsBefore);
        assertThat(newBlobs).as("per image: one layer tar and one config").hasSize(4).doesNotContain(base.substring(7));
    }

    @Test
    @Order(8)
    void rmiFollowsDockersRules() {
        String id = uniqueImage(tallyman, "rules:a", 5_000);
        ok(tallyman, "tag", "rules:a", "rules:b");
        assertThat(ok(tallyman, "rmi", "rules:a").stdout().trim()).isEqualTo("Untagged: rules:a");
        assertThat(ok(tallyman, "inspect", "--format", "{{.Id}}", "rules:b").stdout().trim()).isEqualTo(id);

        ok(tallyman, "create", "--name", "user-of-rules", "rules:b");
        CommandResult refused = tallyman.docker("rmi", "rules:b");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("conflict: unable to remove repository reference \"rules:b\" (must force) - container")
                .contains("is using its referenced image " + id.substring(7, 19));
        CommandResult forced = ok(tallyman, "rmi", "-f", "rules:b");
        assertThat(forced.stdout()).contains("Untagged: rules:b").doesNotContain("Deleted");
        ok(tallyman, "rm", "user-of-rules");

        List<String> dangling = ok(tallyman, "images", "-q", "--no-trunc", "--filter", "dangling=true").stdout().lines().toList();
        assertThat(dangling).contains(id);
        CommandResult byId = ok(tallyman, "rmi", id.substring(7, 19));
        assertThat(byId.stdout()).contains("Deleted: " + id);
        assertThat(tallyman.docker("inspect", id).exitCode()).isEqualTo(1);
    }

    @Test
    @Order(9)
    void pruneRemovesDanglingThenEveryUnusedImage() {
        String dangling = uniqueImage(tallyman, "prune:dangling", 5_000);
        ok(tallyman, "rmi", "prune:dangling");
        // rmi deleted it; make a real dangling one: a commit without a name.
        ok(tallyman, "run", "--name", "prune-maker", "busybox", "true");
        String unnamed = ok(tallyman, "commit", "prune-maker").stdout().trim();
        ok(tallyman, "rm", "prune-maker");
        assertThat(dangling).isNotEqualTo(unnamed);
        uniqueImage(tallyman, "prune:unused", 5_000);
        ok(tallyman, "create", "--name", "keeps-busybox", "busybox", "true");

        CommandResult prune = ok(tallyman, "image", "prune", "-f");
        assertThat(prune.stdout()).contains("Deleted Images:").contains("deleted: " + unnamed).contains("Total reclaimed space:");
        assertThat(ok(tallyman, "images", "--format", "{{.Repository}}:{{.Tag}}").stdout()).contains("prune:unused");

        CommandResult all = ok(tallyman, "image", "prune", "-a", "-f");
        assertThat(all.stdout()).contains("untagged: prune:unused");
        String left = ok(tallyman, "images", "--format", "{{.Repository}}:{{.Tag}}").stdout();
        assertThat(left).contains("busybox:latest").doesNotContain("prune:unused").doesNotContain("sharing:one");
        ok(tallyman, "rm", "keeps-busybox");
    }

    @Test
    @Order(10)
    void searchSaysTheRegistryHasNone() {
        CommandResult search = tallyman.docker("search", "busybox");
        assertThat(search.exitCode()).isEqualTo(1);
        assertThat(search.stderr()).contains("registry docker.io").contains("has no search");
    }

    @Test
    @Order(11)
    void imageEventsUseDockersActions() {
        CommandResult events = ok(tallyman, "events", "--since", Long.toString(began),
                "--until", Long.toString(Instant.now().getEpochSecond() + 1), "--filter", "type=image",
                "--format", "{{.Action}}");
        assertThat(events.stdout().lines().distinct().toList())
                .contains("import", "tag", "untag", "delete", "save", "load")
                .doesNotContain("commit");
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 20 s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
