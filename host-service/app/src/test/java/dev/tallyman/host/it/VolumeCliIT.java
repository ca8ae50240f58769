package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Volumes through the real docker CLI: binds (-v and --mount, read-only for real, missing sources), named volumes
 * and their commands, tmpfs- and bind-backed local volumes, anonymous volumes from -v and the image's VOLUME,
 * copy-up, --volumes-from with the backup-and-restore pattern, tmpfs mounts, inspect, ps filters, system df,
 * volume events, and what is left on the machine afterwards.
 */
class VolumeCliIT extends ContainerItSupport {
    private static final Path HOST = Path.of("/var/lib/tallyman-it/vol-host");

    @Override
    protected String instanceName() {
        return "vol-cli";
    }

    @BeforeAll
    void hostFolder() throws IOException {
        Shell.run("rm", "-rf", HOST.toString());
        Files.createDirectories(HOST);
    }

    @AfterAll
    void removeHostFolder() {
        Shell.run("rm", "-rf", HOST.toString());
    }

    private Path hostDir(String name) throws IOException {
        return Files.createDirectories(HOST.resolve(name));
    }

    private List<String> volumeNames() {
        return ok("volume", "ls", "-q").lines().filter(l -> !l.isBlank()).toList();
    }

    /** Mounts of this instance's volumes folder that the host still has. */
    private List<String> volumeMounts() {
        return tallyman.leftoverMounts().stream().filter(m -> m.startsWith(tallyman.dataRoot.resolve("volumes").toString())).toList();
    }

    @Test
    void bindMountsWriteThroughAndReadOnlyIsReallyReadOnly() throws Exception {
        Path dir = hostDir("bind");
        Files.writeString(dir.resolve("from-host"), "hello\n");

        assertThat(ok("run", "--rm", "-v", dir + ":/data", "busybox", "sh", "-c", "cat /data/from-host; echo back > /data/from-ctr"))
                .isEqualTo("hello\n");
        assertThat(dir.resolve("from-ctr")).hasContent("back");

        CommandResult denied = exits(1, "run", "--rm", "-v", dir + ":/data:ro", "busybox", "sh", "-c", "echo x > /data/nope");
        assertThat(denied.stderr()).contains("Read-only file system");
        assertThat(dir.resolve("nope")).doesNotExist();

        CommandResult deniedMount = exits(1, "run", "--rm", "--mount", "type=bind,source=" + dir + ",target=/data,readonly",
                "busybox", "touch", "/data/nope");
        assertThat(deniedMount.stderr()).contains("Read-only file system");
    }

    @Test
    void missingBindSourceIsCreatedForDashVAndRefusedForMount() throws Exception {
        Path missing = HOST.resolve("made-by-v/deeper");
        ok("run", "--rm", "-v", missing + ":/data", "busybox", "true");
        assertThat(missing).isDirectory();

        Path absent = HOST.resolve("never-there");
        CommandResult refused = exits(125, "run", "--rm", "--mount", "type=bind,source=" + absent + ",target=/data", "busybox", "true");
        assertThat(refused.stderr()).contains("invalid mount config for type \"bind\": bind source path does not exist: " + absent);
        assertThat(absent).doesNotExist();
        assertThat(lastRefusal()).startsWith("POST /containers/create ").contains(" 400 invalid mount config for type \"bind\"");
    }

    @Test
    void bindsArePrivateByDefaultAndInspectShowsThemAsDocker() throws Exception {
        Path dir = hostDir("inspect");
        ok("create", "--name", "binds", "-v", dir + ":/a:ro", "--mount", "type=bind,src=" + dir + ",dst=/b", "busybox", "true");

        assertThat(inspect("{{range .Mounts}}{{.Type}} {{.Source}} {{.Destination}} {{.Mode}} {{.RW}} {{.Propagation}};{{end}}", "binds"))
                .isEqualTo("bind " + dir + " /a ro false rprivate;bind " + dir + " /b  true rprivate;");
        assertThat(inspect("{{json .HostConfig.Binds}}", "binds")).isEqualTo("[\"" + dir + ":/a:ro\"]");
        assertThat(inspect("{{range .HostConfig.Mounts}}{{.Type}} {{.Source}} {{.Target}}{{end}}", "binds")).isEqualTo("bind " + dir + " /b");
        ok("rm", "binds");

        // rprivate: the mount in the container has no peer group on the host ("shared:N" in mountinfo).
        String mountinfo = ok("run", "--rm", "-v", dir + ":/p", "busybox", "grep", " /p ", "/proc/self/mountinfo");
        assertThat(mountinfo).doesNotContain("shared:").doesNotContain("master:");
    }

    @Test
    void namedVolumesKeepDataBetweenContainersAndAreListedInspectedAndRemoved() throws Exception {
        assertThat(ok("volume", "create", "--label", "team=db", "--label", "tier", "pgdata").trim()).isEqualTo("pgdata");
        ok("volume", "create", "other");
        ok("run", "--rm", "-v", "pgdata:/data", "busybox", "sh", "-c", "echo kept > /data/file");
        assertThat(ok("run", "--rm", "-v", "pgdata:/d", "busybox", "cat", "/d/file")).isEqualTo("kept\n");

        String mountpoint = tallyman.dataRoot.resolve("volumes/pgdata/_data").toString();
        assertThat(ok("volume", "inspect", "--format", "{{.Name}} {{.Driver}} {{.Mountpoint}} {{.Scope}} {{.Labels.team}}", "pgdata").trim())
                .isEqualTo("pgdata local " + mountpoint + " local db");
        assertThat(Path.of(mountpoint, "file")).hasContent("kept");
        assertThat(ok("volume", "inspect", "--format", "{{json .Labels}} {{json .Options}}", "other").trim()).isEqualTo("null null");
        assertThat(volumeNames()).contains("pgdata", "other");
        assertThat(ok("volume", "ls", "-q", "--filter", "label=team=db").trim()).isEqualTo("pgdata");
        assertThat(ok("volume", "ls", "-q", "--filter", "name=pgd").trim()).isEqualTo("pgdata");
        assertThat(ok("volume", "ls", "-q", "--filter", "driver=local", "--filter", "name=other").trim()).isEqualTo("other");
        assertThat(ok("volume", "ls", "--format", "{{.Driver}}:{{.Name}}", "--filter", "name=pgdata").trim()).isEqualTo("local:pgdata");
        assertThat(ok("volume", "ls").lines().findFirst().orElseThrow()).matches("DRIVER\\s+VOLUME NAME");

        String user = ok("create", "--name", "pg", "-v", "pgdata:/var/lib/data", "busybox", "true").trim();
        assertThat(ok("volume", "ls", "-q", "--filter", "dangling=true")).contains("other").doesNotContain("pgdata");
        assertThat(ok("ps", "-aq", "--no-trunc", "--filter", "volume=pgdata").trim()).isEqualTo(user);
        assertThat(ok("ps", "-aq", "--no-trunc", "--filter", "volume=/var/lib/data").trim()).isEqualTo(user);
        assertThat(ok("ps", "-a", "--filter", "name=pg", "--format", "{{.Mounts}}").trim()).isEqualTo("pgdata");
        assertThat(inspect("{{range .Mounts}}{{.Type}} {{.Name}} {{.Source}} {{.Destination}} {{.Driver}} {{.Mode}} {{.RW}}{{end}}", "pg"))
                .isEqualTo("volume pgdata " + mountpoint + " /var/lib/data local z true");

        CommandResult inUse = exits(1, "volume", "rm", "pgdata");
        assertThat(inUse.stderr()).contains("remove pgdata: volume is in use - [" + user + "]");
        assertThat(lastRefusal()).isEqualTo("DELETE /volumes/:name pgdata 409 remove pgdata: volume is in use - [" + user + "]");
        exits(1, "volume", "rm", "-f", "pgdata");

        ok("rm", "pg");
        assertThat(ok("volume", "rm", "pgdata").trim()).isEqualTo("pgdata");
        assertThat(Path.of(mountpoint)).doesNotExist();
        assertThat(exits(1, "volume", "inspect", "pgdata").stderr()).contains("get pgdata: no such volume");
        assertThat(exits(1, "volume", "rm", "pgdata").stderr()).contains("no such volume");
        ok("volume", "rm", "-f", "pgdata");
        ok("volume", "rm", "other");
        assertThat(events("volume", "pgdata")).containsSubsequence(
                "volume.create-requested socket root", "volume.created socket root",
                "volume.mounted socket root", "volume.unmounted system runtime",
                "volume.remove-requested socket root", "volume.removed socket root");
    }

    @Test
    void localDriverOptionsMakeTmpfsAndBindBackedVolumes() throws Exception {
        ok("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m,mode=1777", "scratch");
        assertThat(ok("volume", "inspect", "--format", "{{.Options.type}} {{.Options.device}} {{.Options.o}}", "scratch").trim())
                .isEqualTo("tmpfs tmpfs size=1m,mode=1777");
        String df = ok("run", "--rm", "-v", "scratch:/s", "busybox", "sh", "-c", "df -k /s | tail -1; stat -c %a /s");
        assertThat(df).contains("tmpfs").contains(" 1024 ").endsWith("1777\n");
        assertThat(volumeMounts()).as("the tmpfs goes with the last user").isEmpty();

        Path shared = hostDir("bind-backed");
        Files.writeString(shared.resolve("hello"), "from the host\n");
        ok("volume", "create", "--driver", "local", "-o", "type=none", "-o", "o=bind", "-o", "device=" + shared, "hostdata");
        assertThat(ok("run", "--rm", "-v", "hostdata:/h", "busybox", "sh", "-c", "cat /h/hello; echo new > /h/new"))
                .isEqualTo("from the host\n");
        assertThat(shared.resolve("new")).hasContent("new");
        assertThat(volumeMounts()).isEmpty();
        ok("volume", "rm", "hostdata", "scratch");
        assertThat(shared.resolve("hello")).as("a bind-backed volume's removal leaves the host folder").exists();

        // --mount makes a missing volume with the driver options and labels it names.
        assertThat(ok("run", "--rm", "--mount", "type=volume,source=mounted-tmpfs,target=/m,volume-opt=type=tmpfs,"
                + "volume-opt=device=tmpfs,volume-opt=o=size=2m,volume-label=made-by=mount", "busybox", "sh", "-c", "df -k /m | tail -1"))
                .contains("tmpfs").contains(" 2048 ");
        assertThat(ok("volume", "inspect", "--format", "{{.Options.type}} {{.Options.o}} {{.Labels}}", "mounted-tmpfs").trim())
                .isEqualTo("tmpfs size=2m map[made-by:mount]");
        ok("volume", "rm", "mounted-tmpfs");

        CommandResult bad = exits(1, "volume", "create", "-o", "colour=red", "bad");
        assertThat(bad.stderr()).contains("create bad: invalid option: \"colour\"");
        assertThat(volumeNames()).doesNotContain("bad");
        assertThat(exits(1, "volume", "create", "bad$name").stderr()).contains("includes invalid characters for a local volume name");
    }

    @Test
    void anonymousVolumesGoWithRmDashVAndRunRmWhileNamedOnesStay() {
        List<String> before = volumeNames();
        ok("run", "--rm", "-v", "/data", "busybox", "sh", "-c", "echo x > /data/x");
        assertThat(volumeNames()).isEqualTo(before);

        ok("run", "--name", "anon", "-v", "/data", "-v", "keeper:/keep", "busybox", "sh", "-c", "echo x > /data/x");
        String anonymous = inspect("{{range .Mounts}}{{if eq .Destination \"/data\"}}{{.Name}}{{end}}{{end}}", "anon");
        assertThat(anonymous).matches("[0-9a-f]{64}");
        assertThat(inspect("{{json .Config.Volumes}}", "anon")).isEqualTo("{\"/data\":{}}");
        assertThat(ok("volume", "inspect", "--format", "{{json .Labels}}", anonymous).trim()).isEqualTo("{\"com.docker.volume.anonymous\":\"\"}");
        ok("rm", "-v", "anon");
        assertThat(volumeNames()).doesNotContain(anonymous).contains("keeper");

        ok("run", "--name", "kept-anon", "-v", "/data", "busybox", "true");
        String stays = inspect("{{range .Mounts}}{{.Name}}{{end}}", "kept-anon");
        ok("rm", "kept-anon");
        assertThat(volumeNames()).as("rm without -v keeps the volume").contains(stays);
        ok("volume", "rm", stays, "keeper");
    }

    @Test
    void imageVolumesAndCopyUpKeepOwnersAndModesUnlessNocopy() {
        ok("run", "--name", "prep", "busybox", "sh", "-c",
                "mkdir -p /app/sub && echo hi > /app/sub/f && chown -R 1000:1000 /app && chmod 750 /app && chmod 640 /app/sub/f");
        ok("commit", "--change", "VOLUME /app", "prep", "vol-image:1");
        ok("rm", "prep");

        ok("run", "--name", "from-image", "vol-image:1", "true");
        String anonymous = inspect("{{range .Mounts}}{{.Name}} {{.Destination}}{{end}}", "from-image");
        assertThat(anonymous).matches("[0-9a-f]{64} /app");
        String volumeData = tallyman.dataRoot.resolve("volumes").resolve(anonymous.split(" ")[0]).resolve("_data").toString();
        assertThat(Shell.run("stat", "-c", "%u:%g %a", volumeData, volumeData + "/sub/f").stdout())
                .isEqualTo("1000:1000 750\n1000:1000 640\n");
        ok("rm", "-v", "from-image");

        assertThat(ok("run", "--rm", "-v", "copied:/app", "vol-image:1", "sh", "-c", "stat -c '%u:%g %a' /app /app/sub/f; cat /app/sub/f"))
                .isEqualTo("1000:1000 750\n1000:1000 640\nhi\n");
        assertThat(ok("run", "--rm", "-v", "nocopied:/app:nocopy", "vol-image:1", "ls", "-A", "/app")).isEmpty();
        // A volume that has content is never overwritten.
        ok("run", "--rm", "-v", "copied:/app", "busybox", "sh", "-c", "echo changed > /app/sub/f");
        assertThat(ok("run", "--rm", "-v", "copied:/app", "vol-image:1", "cat", "/app/sub/f")).isEqualTo("changed\n");
        ok("volume", "rm", "copied", "nocopied");
    }

    @Test
    void volumesFromServesTheBackupAndRestorePattern() throws Exception {
        Path backup = hostDir("backup");
        ok("run", "--name", "db", "-v", "/data", "busybox", "sh", "-c", "echo precious > /data/db.txt && mkdir /data/sub && echo two > /data/sub/t");

        String tar = ok("run", "--rm", "--volumes-from", "db", "-v", backup + ":/backup", "busybox", "tar", "cvf", "/backup/backup.tar", "/data");
        assertThat(tar).contains("data/db.txt");
        assertThat(backup.resolve("backup.tar")).isRegularFile();

        ok("run", "--name", "db2", "-v", "/data", "busybox", "true");
        ok("run", "--rm", "--volumes-from", "db2", "-v", backup + ":/backup", "busybox", "sh", "-c",
                "cd /data && tar xvf /backup/backup.tar --strip 1");
        assertThat(ok("run", "--rm", "--volumes-from", "db2", "busybox", "cat", "/data/db.txt", "/data/sub/t")).isEqualTo("precious\ntwo\n");

        CommandResult readOnly = exits(1, "run", "--rm", "--volumes-from", "db2:ro", "busybox", "touch", "/data/new");
        assertThat(readOnly.stderr()).contains("Read-only file system");
        String dbVolume = inspect("{{range .Mounts}}{{.Name}}{{end}}", "db");
        ok("run", "--name", "reader", "--volumes-from", "db", "busybox", "true");
        assertThat(inspect("{{range .Mounts}}{{.Name}}{{end}}", "reader")).isEqualTo(dbVolume);
        assertThat(inspect("{{json .HostConfig.VolumesFrom}}", "reader")).isEqualTo("[\"db\"]");
        ok("rm", "-v", "reader");
        assertThat(volumeNames()).as("still used by db").contains(dbVolume);
        ok("rm", "-v", "db", "db2");
        assertThat(volumeNames()).doesNotContain(dbVolume);
    }

    @Test
    void tmpfsMountsHaveTheirSizeAndMode() {
        assertThat(ok("run", "--rm", "--tmpfs", "/t:size=1m", "busybox", "sh", "-c", "df -k /t | tail -1")).contains("tmpfs").contains(" 1024 ");
        assertThat(ok("run", "--rm", "--mount", "type=tmpfs,destination=/m,tmpfs-size=2m,tmpfs-mode=1770", "busybox", "sh", "-c",
                "stat -c %a /m; df -k /m | tail -1")).startsWith("1770\n").contains(" 2048 ");
        ok("create", "--name", "tmpfs-inspect", "--mount", "type=tmpfs,destination=/m,tmpfs-size=2m", "busybox", "true");
        assertThat(inspect("{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}}{{end}}", "tmpfs-inspect")).isEqualTo("tmpfs /m true");
        assertThat(inspect("{{range .HostConfig.Mounts}}{{.Type}} {{.Target}} {{.TmpfsOptions.SizeBytes}}{{end}}", "tmpfs-inspect"))
                .isEqualTo("tmpfs /m 2097152");
        ok("rm", "tmpfs-inspect");
    }

    @Test
    void pruneTakesUnusedAnonymousVolumesAndWithAllTheNamedOnes() {
        ok("volume", "create", "--label", "purpose=prune", "named-prune");
        ok("volume", "create", "--label", "purpose=keep", "named-keep");
        ok("run", "--name", "anon-prune", "-v", "/data", "busybox", "true");
        String anonymous = inspect("{{range .Mounts}}{{.Name}}{{end}}", "anon-prune");
        ok("create", "--name", "user-prune", "-v", "named-used:/u", "busybox", "true");

        ok("volume", "prune", "-f");
        assertThat(volumeNames()).contains(anonymous, "named-prune", "named-keep", "named-used");
        ok("rm", "anon-prune");
        String pruned = ok("volume", "prune", "-f");
        assertThat(pruned).contains("Deleted Volumes:").contains(anonymous).contains("Total reclaimed space:");
        assertThat(volumeNames()).doesNotContain(anonymous).contains("named-prune", "named-keep");

        ok("volume", "prune", "-af", "--filter", "label=purpose=prune");
        assertThat(volumeNames()).doesNotContain("named-prune").contains("named-keep", "named-used");
        ok("volume", "prune", "-af");
        assertThat(volumeNames()).doesNotContain("named-keep").contains("named-used");

        // Clients of API 1.41 and older (docker-py, compose 1.x) got every unused volume pruned, named ones too.
        ok("volume", "create", "named-old-api");
        CommandResult old = tallyman.api("POST", "/v1.41/volumes/prune", null);
        assertThat(old.stdout()).contains("named-old-api").endsWith("\n200");
        assertThat(volumeNames()).doesNotContain("named-old-api").contains("named-used");
        ok("rm", "user-prune");
        ok("volume", "rm", "named-used");
    }

    @Test
    void systemDfShowsImagesContainersAndVolumesWithReclaimableSpace() throws Exception {
        ok("volume", "create", "df-used");
        ok("volume", "create", "df-free");
        ok("run", "--rm", "-v", "df-free:/d", "busybox", "sh", "-c", "head -c 100000 /dev/zero > /d/blob");
        ok("create", "--name", "df-user", "-v", "df-used:/d", "busybox", "true");

        String df = ok("system", "df");
        assertThat(df.lines().findFirst().orElseThrow()).matches("TYPE\\s+TOTAL\\s+ACTIVE\\s+SIZE\\s+RECLAIMABLE");
        assertThat(df).containsPattern("Images\\s+\\d+\\s+\\d+\\s+[0-9.]+[kMG]?B")
                .containsPattern("Containers\\s+\\d+\\s+\\d+")
                .containsPattern("Local Volumes\\s+\\d+\\s+\\d+\\s+100kB\\s+100kB \\(100%\\)")
                .containsPattern("Build Cache\\s+0\\s+0\\s+0B\\s+0B");
        String verbose = ok("system", "df", "-v");
        assertThat(verbose).contains("Local Volumes space usage:").containsPattern("df-free\\s+0\\s+100kB").containsPattern("df-used\\s+1\\s+0B")
                .contains("Containers space usage:").contains("df-user");
        ok("rm", "df-user");
        ok("volume", "rm", "df-used", "df-free");
    }

    @Test
    void volumeEventsAreDockersWithTheActor() {
        long since = Instant.now().getEpochSecond() - 1;
        ok("volume", "create", "evented");
        String id = ok("run", "-d", "--name", "ev", "-v", "evented:/e", "busybox", "true").trim();
        awaitStatus("ev", "exited", Duration.ofSeconds(20));
        ok("rm", "ev");
        ok("volume", "rm", "evented");

        List<String> seen = eventually(Duration.ofSeconds(10),
                () -> dockerEvents(since, "type=volume", "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}} {{index .Actor.Attributes \"container\"}} {{index .Actor.Attributes \"tallyman.actor\"}}"),
                rows -> rows.stream().anyMatch(r -> r.startsWith("destroy")));
        assertThat(seen).containsSubsequence(
                "create evented local  socket",
                "mount evented local " + id + " socket",
                "unmount evented local " + id + " system",
                "destroy evented local  socket");
        assertThat(dockerEvents(since, "volume=evented", "{{.Action}} {{index .Actor.Attributes \"destination\"}} {{index .Actor.Attributes \"read/write\"}}"))
                .contains("mount /e true");
    }

    @Test
    void volumesAndRunningMountsSurviveASigkillAndNothingStaysMounted() throws Exception {
        ok("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", "live-tmpfs");
        ok("volume", "create", "live-disk");
        ok("run", "--rm", "-v", "live-disk:/d", "busybox", "sh", "-c", "echo durable > /d/f");
        ok("run", "-d", "--name", "holder", "-v", "live-tmpfs:/t", "-v", "live-disk:/d", "busybox", "sh", "-c",
                "echo in-memory > /t/f; sleep 600");
        eventually(Duration.ofSeconds(10), () -> tallyman.docker("exec", "holder", "cat", "/t/f").stdout(), "in-memory\n"::equals);

        tallyman.kill();
        assertThat(volumeMounts()).as("the running container's tmpfs volume stays").hasSize(1);
        tallyman.start();

        assertThat(inspect("{{.State.Status}}", "holder")).isEqualTo("running");
        assertThat(ok("exec", "holder", "cat", "/t/f", "/d/f")).isEqualTo("in-memory\ndurable\n");
        assertThat(volumeNames()).contains("live-tmpfs", "live-disk");
        ok("rm", "-f", "holder");
        assertThat(volumeMounts()).as("the tmpfs goes with its last user").isEmpty();

        // A mount left behind by a crash (the service died between mounting and recording) is undone at boot.
        ok("create", "--name", "half", "-v", "live-tmpfs:/t", "busybox", "true");
        Path mountpoint = tallyman.dataRoot.resolve("volumes/live-tmpfs/_data");
        assertThat(Shell.run("mount", "-t", "tmpfs", "tmpfs", mountpoint.toString()).exitCode()).isZero();
        tallyman.kill();
        tallyman.start();
        assertThat(volumeMounts()).isEmpty();
        ok("rm", "half");

        tallyman.stop();
        tallyman.start();
        assertThat(ok("run", "--rm", "-v", "live-disk:/d", "busybox", "cat", "/d/f")).isEqualTo("durable\n");
        ok("volume", "rm", "live-tmpfs", "live-disk");
        assertNothingLeft();
    }

    @Test
    void replayOfTheStoreEqualsTheLiveVolumeState() throws Exception {
        ok("volume", "create", "--label", "k=v", "replayed");
        ok("run", "--name", "replay-user", "-v", "replayed:/r", "-v", "/anon", "busybox", "true");
        ok("volume", "create", "short-lived");
        ok("volume", "rm", "short-lived");
        exits(1, "volume", "rm", "replayed");

        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper()
                .registerModule(new com.fasterxml.jackson.datatype.jdk8.Jdk8Module())
                .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule());
        String body = tallyman.api("GET", "/tallyman/state", null).stdout();
        var live = json.readTree(body.substring(0, body.lastIndexOf('\n')));
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(database.url());
        ds.setUser(database.user);
        ds.setPassword(database.password);
        try (var store = new dev.tallyman.audit.store.JdbcEventStore(ds, java.time.Clock.systemUTC())) {
            var rebuilt = json.readTree(json.writeValueAsString(
                    dev.tallyman.host.api.TallymanApi.stateOf(dev.tallyman.host.projections.Projections.rebuild(store))));
            assertThat(rebuilt).isEqualTo(live);
        }
        assertThat(live.get("volumes").has("replayed")).isTrue();
        assertThat(live.get("volumes").has("short-lived")).isFalse();
        ok("rm", "-v", "replay-user");
        ok("volume", "rm", "replayed");
    }

    /** "type actor_kind actor_user_name" of a stream's events, oldest first. */
    private List<String> events(String kind, String name) {
        List<String> rows = new java.util.ArrayList<>();
        try (var c = database.connect(); var s = c.createStatement();
             var rs = s.executeQuery("select type, actor_kind, coalesce(actor_user_name, '') from events where stream_id = '" + kind + "-"
                     + name + "' order by version")) {
            while (rs.next()) {
                String who = rs.getString(2).toLowerCase(java.util.Locale.ROOT);
                rows.add(rs.getString(1) + " " + who + " " + rs.getString(3));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return rows;
    }
}
