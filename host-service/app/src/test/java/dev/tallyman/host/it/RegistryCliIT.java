package dev.tallyman.host.it;

import static dev.tallyman.host.it.ImageItSupport.allPayloads;
import static dev.tallyman.host.it.ImageItSupport.blobs;
import static dev.tallyman.host.it.ImageItSupport.driverLayers;
import static dev.tallyman.host.it.ImageItSupport.eventTypes;
import static dev.tallyman.host.it.ImageItSupport.names;
import static dev.tallyman.host.it.ImageItSupport.ok;
import static dev.tallyman.host.it.ImageItSupport.payloads;
import static dev.tallyman.host.it.ImageItSupport.uniqueImage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * docker pull, push, login and logout through the real CLI against Debian's docker-registry on loopback: one
 * open registry (also configured as the docker.io mirror) and one behind htpasswd. Each check looks at what
 * the user sees, what the record says, and, for a failure, that nothing was left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryCliIT {
    private static final String USER = "registry-user";
    private static final String PASSWORD = "Tally-secret-7341";

    private Path dir;
    private TestDatabase database;
    private TestRegistry open;
    private TestRegistry guarded;
    private TallymanProcess tallyman;
    private long began;

    @BeforeAll
    void start() throws Exception {
        began = Instant.now().getEpochSecond() - 1;
        dir = Files.createTempDirectory("registry-cli-it");
        database = new TestDatabase();
        open = TestRegistry.open(dir.resolve("open"));
        guarded = TestRegistry.withPassword(dir.resolve("guarded"), USER, PASSWORD);
        tallyman = new TallymanProcess("registry", database, "overlay2")
                .withEnv("TALLYMAN_REGISTRY_MIRRORS", "http://" + open.host());
        tallyman.start();
        ok(tallyman, "import", BusyboxTar.get().toString(), "busybox:latest");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (tallyman != null) {
                tallyman.docker("logout", guarded.host());
                tallyman.close();
            }
        } finally {
            if (open != null) {
                open.close();
            }
            if (guarded != null) {
                guarded.close();
            }
            if (database != null) {
                database.close();
            }
            Shell.run("rm", "-rf", dir.toString());
        }
    }

    @Test
    @Order(1)
    void pushThenPullByTagAndByDigestShowProgress() {
        String name = open.host() + "/team/app:v1";
        String id = uniqueImage(tallyman, name, 400_000);

        CommandResult pushed = ok(tallyman, "push", name);
        assertThat(pushed.stdout()).contains("The push refers to repository [" + open.host() + "/team/app]")
                .contains(": Pushed").containsPattern("v1: digest: sha256:[0-9a-f]{64} size: [0-9]+");
        String digest = pushed.stdout().replaceAll("(?s).*v1: digest: (sha256:[0-9a-f]{64}).*", "$1");
        assertThat(ok(tallyman, "images", "--digests", "--format", "{{.Repository}}:{{.Tag}} {{.Digest}}").stdout())
                .contains(open.host() + "/team/app:v1 " + digest);

        // Gone from here (its busybox base stays), then back from the registry: only the top layer travels.
        ok(tallyman, "rmi", name);
        CommandResult pulled = ok(tallyman, "pull", name);
        assertThat(pulled.stdout()).contains("v1: Pulling from team/app").contains(": Already exists")
                .contains(": Pulling fs layer").contains(": Download complete").contains(": Pull complete")
                .contains("Digest: " + digest).contains("Status: Downloaded newer image for " + name);
        assertThat(ok(tallyman, "inspect", "--format", "{{.Id}} {{index .RepoDigests 0}}", name).stdout().trim())
                .isEqualTo(id + " " + open.host() + "/team/app@" + digest);
        assertThat(ok(tallyman, "run", "--rm", name).stdout()).isEqualTo(name + "\n");

        CommandResult again = ok(tallyman, "pull", name);
        assertThat(again.stdout()).contains("Status: Image is up to date for " + name);

        ok(tallyman, "rmi", name);
        String byDigest = open.host() + "/team/app@" + digest;
        CommandResult pinned = ok(tallyman, "pull", byDigest);
        assertThat(pinned.stdout()).contains("Status: Downloaded newer image for " + byDigest);
        assertThat(ok(tallyman, "images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}} {{.ID}}").stdout())
                .contains(open.host() + "/team/app <none> " + digest + " " + id.substring(7, 19));
        assertThat(ok(tallyman, "run", "--rm", byDigest).stdout()).isEqualTo(name + "\n");

        CommandResult quiet = ok(tallyman, "pull", "--quiet", name);
        assertThat(quiet.stdout()).isEqualTo(name + "\n");

        CommandResult missing = tallyman.docker("pull", open.host() + "/team/app:nosuchtag");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("manifest for " + open.host() + "/team/app:nosuchtag not found: manifest unknown");

        assertThat(eventTypes(database, "image.pu")).containsSubsequence("image.push-requested", "image.pushed",
                "image.pull-requested", "image.pulled", "image.pull-requested", "image.pulled", "image.pull-failed");
        assertThat(payloads(database, "image.pulled")).anySatisfy(p -> assertThat(p)
                .contains("\"repoDigest\":\"" + open.host() + "/team/app@" + digest + "\"").contains(id));
    }

    @Test
    @Order(2)
    void dockerIoNamesComeFromTheMirrorWhenRunNeedsThem() {
        ok(tallyman, "tag", "busybox", open.host() + "/library/busybox:latest");
        ok(tallyman, "push", open.host() + "/library/busybox:latest");
        String name = "mirrored-app:v2";
        uniqueImage(tallyman, name, 50_000);
        ok(tallyman, "tag", name, open.host() + "/library/mirrored-app:v2");
        ok(tallyman, "push", open.host() + "/library/mirrored-app:v2");
        ok(tallyman, "rmi", name, open.host() + "/library/mirrored-app:v2");

        CommandResult run = tallyman.docker("run", "--rm", name);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).contains("Unable to find image 'mirrored-app:v2' locally")
                .contains("Status: Downloaded newer image for mirrored-app:v2");
        assertThat(run.stdout()).isEqualTo(name + "\n");
        assertThat(payloads(database, "image.pull-requested")).anySatisfy(p -> assertThat(p)
                .contains("docker.io/library/mirrored-app:v2").contains("\"registry\":\"" + open.host() + "\""));
    }

    @Test
    @Order(3)
    void loginAndLogoutAgainstAnHtpasswdRegistry() throws Exception {
        String name = guarded.host() + "/private/app:v1";
        uniqueImage(tallyman, name, 60_000);

        CommandResult anonymous = tallyman.docker("push", name);
        assertThat(anonymous.exitCode()).isEqualTo(1);
        assertThat(anonymous.stderr()).contains("no basic auth credentials");

        CommandResult wrong = tallyman.docker("login", "-u", USER, "-p", "not-" + PASSWORD, guarded.host());
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.stderr()).contains("login attempt to http://" + guarded.host() + "/v2/ failed with status: 401 Unauthorized");

        CommandResult login = tallyman.docker("login", "-u", USER, "-p", PASSWORD, guarded.host());
        assertThat(login.exitCode()).as(login.toString()).isZero();
        assertThat(login.stdout()).contains("Login Succeeded");

        ok(tallyman, "push", name);
        ok(tallyman, "rmi", name);
        assertThat(ok(tallyman, "pull", name).stdout()).contains("Status: Downloaded newer image for " + name);

        CommandResult logout = ok(tallyman, "logout", guarded.host());
        assertThat(logout.stdout()).contains("Removing login credentials for " + guarded.host());
        ok(tallyman, "rmi", name);
        CommandResult refused = tallyman.docker("pull", name);
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("no basic auth credentials");

        // Each attempt is on the record by registry and user; the password went to the registry only: not into
        // any event, refusal or log line.
        assertThat(allPayloads(database)).doesNotContain(PASSWORD);
        assertThat(Files.readString(tallyman.log)).doesNotContain(PASSWORD);
        assertThat(ImageItSupport.eventTypes(database, "registry.")).containsSubsequence("registry.login-requested",
                "registry.login-failed", "registry.login-requested", "registry.logged-in");
        assertThat(payloads(database, "registry.login-failed")).singleElement().asString()
                .contains("\"registry\":\"" + guarded.host() + "\"", "\"username\":\"" + USER + "\"", "401");
    }

    @Test
    @Order(4)
    void aTamperedBlobFailsThePullAndLeavesNothing() throws Exception {
        String name = open.host() + "/team/tampered:v1";
        uniqueImage(tallyman, name, 300_000);
        ok(tallyman, "push", name);
        ok(tallyman, "rmi", name);

        CommandResult manifest = Shell.run("curl", "-sf", "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json",
                "http://" + open.host() + "/v2/team/tampered/manifests/v1");
        assertThat(manifest.exitCode()).as(manifest.toString()).isZero();
        JsonNode layers = new ObjectMapper().readTree(manifest.stdout()).get("layers");
        String top = layers.get(layers.size() - 1).get("digest").asText();
        Path blob = open.blob(top);
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x5a; // same size, other bytes: only the digest check can tell
        Files.write(blob, bytes);

        TreeSet<String> blobsBefore = blobs(tallyman);
        TreeSet<String> layersBefore = driverLayers(tallyman);
        CommandResult pull = tallyman.docker("pull", name);
        assertThat(pull.exitCode()).as(pull.toString()).isEqualTo(1);
        assertThat(pull.stdout() + pull.stderr()).contains(top.substring(7, 19)).containsIgnoringCase("digest");
        assertThat(ok(tallyman, "images", "--format", "{{.Repository}}").stdout()).doesNotContain("tampered");
        assertThat(blobs(tallyman)).isEqualTo(blobsBefore);
        assertThat(driverLayers(tallyman)).isEqualTo(layersBefore);
        assertThat(names(tallyman.dataRoot.resolve("tmp"))).isEmpty();
        assertThat(payloads(database, "image.pull-failed")).anySatisfy(p -> assertThat(p).contains("team/tampered:v1"));
    }

    @Test
    @Order(5)
    void imageEventsShowWhatHappenedWithDockersActionNames() {
        CommandResult events = ok(tallyman, "events", "--since", Long.toString(began),
                "--until", Long.toString(Instant.now().getEpochSecond() + 1), "--filter", "type=image",
                "--format", "{{.Type}} {{.Action}} {{.Actor.ID}}");
        assertThat(events.stdout().lines().map(l -> l.split(" ")[1]).distinct().toList())
                .contains("import", "tag", "push", "untag", "delete", "pull");
        assertThat(events.stdout()).contains("image pull " + open.host() + "/team/app:v1")
                .contains("image push " + open.host() + "/team/app:v1")
                .doesNotContain("pull-failed").doesNotContain("requested");
        assertThat(events.stdout().lines()).allMatch(l -> l.startsWith("image "));
    }

    @Test
    @Order(6)
    void aRestartRebuildsTheSameImagesFromTheRecord() {
        String live = tallyman.api("GET", "/tallyman/state", null).stdout();
        assertThat(live).contains("repoDigests").contains(open.host() + "/team/app@sha256:");
        tallyman.stop();
        tallyman.start();
        assertThat(tallyman.api("GET", "/tallyman/state", null).stdout()).isEqualTo(live);
        assertThat(ok(tallyman, "images", "--digests", "--format", "{{.Repository}} {{.Digest}}").stdout())
                .contains(open.host() + "/team/app sha256:");
    }
}
