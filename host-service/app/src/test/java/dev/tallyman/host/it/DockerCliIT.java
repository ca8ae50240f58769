package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The walking skeleton as a user walks it: the real docker CLI against a running Tallyman with a real
 * PostgreSQL, runc and conmon, on overlay2. Each check looks at what the user sees (output, exit code,
 * message) and, where it matters, at what the record says.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerCliIT extends ContainerItSupport {

    @Override
    protected String instanceName() {
        return "cli";
    }



    @Test
    @Order(1)
    void versionShowsTallymanAsTheServer() throws Exception {
        CommandResult version = tallyman.docker("version");
        assertThat(version.exitCode()).as(version.toString()).isZero();
        assertThat(version.stdout()).contains("Server: Tallyman").contains("API version:      1.50");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tallyman.socket)))
                .isEqualTo("rw-rw----");
    }

    @Test
    @Order(2)
    void importFromStdinAndListImages() throws Exception {
        byte[] tar = Files.readAllBytes(BusyboxTar.get());
        CommandResult imported = tallyman.dockerWithInput(tar, "import", "-", "busybox:stdin");
        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        assertThat(imported.stdout().trim()).startsWith("sha256:");

        CommandResult images = tallyman.docker("images");
        assertThat(images.exitCode()).isZero();
        assertThat(images.stdout()).contains("busybox").contains("latest").contains("stdin");

        CommandResult inspect = tallyman.docker("inspect", "--format", "{{.Os}}/{{.Architecture}} {{index .RepoTags 0}}", "busybox");
        assertThat(inspect.exitCode()).as(inspect.toString()).isZero();
        assertThat(inspect.stdout().trim()).isEqualTo("linux/amd64 busybox:latest");
    }

    @Test
    @Order(3)
    void runPrintsOutputAndRemovesTheContainer() {
        CommandResult run = tallyman.docker("run", "--rm", "busybox", "echo", "hello");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).isEqualTo("hello\n");
        assertThat(tallyman.docker("ps", "-aq").stdout()).isBlank();
    }

    @Test
    @Order(4)
    void exitCodesFollowDocker() {
        CommandResult three = tallyman.docker("run", "--rm", "busybox", "sh", "-c", "exit 3");
        assertThat(three.exitCode()).as(three.toString()).isEqualTo(3);

        CommandResult notFound = tallyman.docker("run", "--rm", "busybox", "nosuchcmd");
        assertThat(notFound.exitCode()).as(notFound.toString()).isEqualTo(127);
        assertThat(notFound.stderr()).contains("Error response from daemon")
                .contains("exec: \"nosuchcmd\": executable file not found in $PATH");

        CommandResult notExecutable = tallyman.docker("run", "--rm", "busybox", "/etc/passwd");
        assertThat(notExecutable.exitCode()).as(notExecutable.toString()).isEqualTo(126);
        assertThat(notExecutable.stderr()).contains("permission denied");

        CommandResult stderr = tallyman.docker("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2");
        assertThat(stderr.stdout()).isEqualTo("out\n");
        assertThat(stderr.stderr()).isEqualTo("err\n");
        assertThat(tallyman.docker("ps", "-aq").stdout()).isBlank();
    }

    @Test
    @Order(5)
    void createStartAttachLogsInspectRemove() throws Exception {
        long began = java.time.Instant.now().getEpochSecond() - 1;
        CommandResult created = tallyman.docker("create", "--name", "c1", "busybox", "echo", "hi");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        String id = created.stdout().trim();
        assertThat(id).matches("[0-9a-f]{64}");

        CommandResult started = tallyman.docker("start", "-a", "c1");
        assertThat(started.exitCode()).as(started.toString()).isZero();
        assertThat(started.stdout()).isEqualTo("hi\n");

        CommandResult ps = tallyman.docker("ps", "-a", "--format", "{{.Names}} {{.Status}} {{.Command}}");
        assertThat(ps.stdout()).startsWith("c1 Exited (0)").contains("echo hi");
        assertThat(tallyman.docker("ps", "-q").stdout()).isBlank();

        CommandResult logs = tallyman.docker("logs", "c1");
        assertThat(logs.stdout()).isEqualTo("hi\n");

        CommandResult inspect = tallyman.docker("inspect", "--format", "{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.Id}}", "c1");
        assertThat(inspect.stdout().trim()).isEqualTo("/c1 exited 0 " + id);

        CommandResult removed = tallyman.docker("rm", "c1");
        assertThat(removed.exitCode()).as(removed.toString()).isZero();
        assertThat(removed.stdout().trim()).isEqualTo("c1");
        assertThat(tallyman.docker("ps", "-aq").stdout()).isBlank();
        assertThat(tallyman.leftoverMounts()).isEmpty();
        assertThat(tallyman.leftoverRuncContainers()).isEmpty();
        assertThat(TallymanProcess.cgroupsOf(id)).isEmpty();

        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select type, actor_kind, actor_uid from events where stream_id = 'container-" + id + "' order by version")) {
            StringBuilder types = new StringBuilder();
            while (rs.next()) {
                types.append(rs.getString(1)).append(' ');
                if (!rs.getString(1).equals("container.died")) {
                    assertThat(rs.getString(2)).isEqualTo("SOCKET");
                    assertThat(rs.getInt(3)).isZero();
                }
            }
            assertThat(types.toString().trim()).isEqualTo("container.create-requested container.created container.attached "
                    + "container.start-requested container.started container.died container.remove-requested container.removed");
        }

        CommandResult events = tallyman.docker("events", "--since", Long.toString(began),
                "--until", Long.toString(java.time.Instant.now().getEpochSecond() + 1), "--filter", "container=c1",
                "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{index .Actor.Attributes \"tallyman.actor\"}}");
        assertThat(events.exitCode()).as(events.toString()).isZero();
        assertThat(events.stdout().lines().toList()).containsExactly(
                "container create c1 socket", "container attach c1 socket", "container start c1 socket",
                "container die c1 system", "container destroy c1 socket");
    }

    @Test
    @Order(6)
    void runningContainerIsNotRemovedWithoutForce() {
        CommandResult run = tallyman.docker("run", "-d", "--name", "web", "busybox", "sleep", "600");
        assertThat(run.exitCode()).as(run.toString()).isZero();

        CommandResult refused = tallyman.docker("rm", "web");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("You cannot remove a running container ")
                .contains("Stop the container before attempting removal or force remove");
        assertThat(tallyman.docker("ps", "--format", "{{.Names}}").stdout().trim()).isEqualTo("web");
        assertThat(lastRefusalOfTheCaller()).startsWith("DELETE /containers/:name web 409");

        CommandResult forced = tallyman.docker("rm", "-f", "web");
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(tallyman.docker("ps", "-aq").stdout()).isBlank();
        assertThat(tallyman.leftoverMounts()).isEmpty();
        assertThat(tallyman.leftoverRuncContainers()).isEmpty();
    }

    @Test
    @Order(7)
    void badInputIsRefusedOnTheRecordAndLeavesNothing() throws Exception {
        java.util.Set<String> cgroupsBefore = tallymanCgroups();
        CommandResult malformed = tallyman.api("POST", "/v1.50/containers/create", "{\"Image\": ");
        assertThat(statusOf(malformed)).isEqualTo(400);
        assertThat(malformed.stdout()).contains("\"message\":\"invalid JSON");
        assertThat(lastRefusalOfTheCaller()).contains(" 400 invalid JSON");

        CommandResult badReference = tallyman.api("POST", "/v1.50/containers/create", "{\"Image\": \"Busy Box\"}");
        assertThat(statusOf(badReference)).isEqualTo(400);
        assertThat(badReference.stdout()).contains("invalid reference format");
        assertThat(lastRefusalOfTheCaller()).contains(" 400 invalid reference format");

        CommandResult badName = tallyman.docker("create", "--name", "bad name!", "busybox", "true");
        assertThat(badName.exitCode()).isEqualTo(1);
        assertThat(badName.stderr()).contains("Invalid container name (bad name!), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");

        assertThat(tallyman.docker("create", "--name", "taken", "busybox", "true").exitCode()).isZero();
        CommandResult clash = tallyman.docker("create", "--name", "taken", "busybox", "true");
        assertThat(clash.exitCode()).isEqualTo(1);
        assertThat(clash.stderr()).contains("Conflict. The container name \"/taken\" is already in use by container");
        assertThat(lastRefusalOfTheCaller()).contains(" 409 Conflict.");
        assertThat(tallyman.docker("rm", "taken").exitCode()).isZero();

        CommandResult unknownContainer = tallyman.docker("start", "nosuchcontainer");
        assertThat(unknownContainer.exitCode()).isEqualTo(1);
        assertThat(unknownContainer.stderr()).contains("No such container: nosuchcontainer");
        assertThat(lastRefusalOfTheCaller()).isEqualTo("POST /containers/:name/start nosuchcontainer 404 No such container: nosuchcontainer");

        CommandResult unknownImage = tallyman.docker("create", "--pull", "never", "nosuchimage");
        assertThat(unknownImage.exitCode()).isNotZero();
        assertThat(unknownImage.stderr()).contains("No such image: nosuchimage:latest");
        assertThat(lastRefusalOfTheCaller()).contains(" 404 No such image: nosuchimage:latest");

        CommandResult unknownRoute = tallyman.api("GET", "/v1.50/no/such/route", null);
        assertThat(statusOf(unknownRoute)).isEqualTo(404);
        assertThat(unknownRoute.stdout()).contains("{\"message\":\"page not found\"}");

        CommandResult tooNew = tallyman.api("GET", "/v1.99/version", null);
        assertThat(statusOf(tooNew)).isEqualTo(400);
        assertThat(tooNew.stdout()).contains("client version 1.99 is too new. Maximum supported API version is 1.50");

        assertThat(tallyman.docker("ps", "-aq").stdout()).isBlank();
        assertThat(tallyman.leftoverMounts()).isEmpty();
        assertThat(tallyman.leftoverRuncContainers()).isEmpty();
        assertThat(bundles()).isEmpty();
        assertThat(tallymanCgroups()).isSubsetOf(cgroupsBefore);
    }

    /** Every container cgroup under the memory controller's tallyman folder (shared by all instances on the host). */
    private static java.util.Set<String> tallymanCgroups() throws java.io.IOException {
        Path parent = Path.of("/sys/fs/cgroup/memory/tallyman");
        if (!Files.isDirectory(parent)) {
            return java.util.Set.of();
        }
        try (var list = Files.list(parent)) {
            return list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    private int statusOf(CommandResult curl) {
        String[] lines = curl.stdout().split("\n");
        return Integer.parseInt(lines[lines.length - 1].trim());
    }

    /** "command target status reason" of the newest refusal, with the actor checked to be the caller (root). */
    private String lastRefusalOfTheCaller() {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select payload, actor_kind, actor_uid, actor_pid from events "
                     + "where type = 'command.refused' order by position desc limit 1")) {
            assertThat(rs.next()).as("a refusal on the record").isTrue();
            assertThat(rs.getString(2)).isEqualTo("SOCKET");
            assertThat(rs.getInt(3)).isZero();
            assertThat(rs.getInt(4)).isPositive();
            var payload = new com.fasterxml.jackson.databind.ObjectMapper().readTree(rs.getString(1));
            return payload.get("command").asText() + " " + payload.get("target").asText() + " "
                    + payload.get("status").asInt() + " " + payload.get("reason").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private java.util.List<Path> bundles() {
        Path dir = tallyman.execRoot.resolve("containers");
        if (!Files.isDirectory(dir)) {
            return java.util.List.of();
        }
        try (var list = Files.list(dir)) {
            return list.toList();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
