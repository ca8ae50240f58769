package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker build through the real CLI (classic builder): Docker's output, runnable step images, the cache across
 * a restart, a failing RUN, .dockerignore, multi-stage with --target, ONBUILD, the options, and the record.
 */
class BuildIT extends ContainerItSupport {
    private static final Pattern STEP_IMAGE = Pattern.compile("(?m)^ ---> ([0-9a-f]{12})$");

    @Override
    protected String instanceName() {
        return "build-cli";
    }

    /** A context folder with these files (name → content). */
    private static Path context(String name, Map<String, String> files) {
        Path dir = Path.of("target/build-it/" + name).toAbsolutePath();
        try {
            if (Files.exists(dir)) {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path path = dir.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private CommandResult build(String... args) {
        return tallyman.docker(args);
    }

    private static final String TWELVE_STEPS = """
            FROM busybox
            LABEL org.example.team=builders
            ARG GREETING=hello
            ENV APP_HOME=/app
            WORKDIR $APP_HOME
            COPY data.txt .
            RUN echo "$GREETING from run" && cp data.txt copy.txt
            RUN ls /app > /app/listing
            EXPOSE 8080
            VOLUME /data
            USER nobody
            CMD ["cat", "/app/copy.txt"]
            """;

    @Test
    void buildWritesDockersStepsAndEveryStepImageRuns() {
        Path ctx = context("twelve", Map.of("Dockerfile", TWELVE_STEPS, "data.txt", "the data\n"));
        CommandResult result = build("build", "--no-cache", "-t", "twelve:v1", "-t", "twelve:latest", ctx.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        String out = result.stdout();
        assertThat(out).contains("Step 1/12 : FROM busybox\n", "Step 7/12 : RUN echo \"$GREETING from run\" && cp data.txt copy.txt\n",
                " ---> Running in ", "hello from run\n", "Removing intermediate container ", "Step 12/12 : CMD [\"cat\", \"/app/copy.txt\"]\n",
                "Successfully tagged twelve:v1\n", "Successfully tagged twelve:latest\n");
        // As Docker's classic builder, every step but FROM and COPY makes an intermediate container, config-only
        // steps included, and removes it.
        assertThat(out.split(" ---> Running in ", -1)).hasSize(11);
        assertThat(out.split("Removing intermediate container ", -1)).hasSize(11);
        assertThat(out).containsPattern("Step 2/12 : LABEL org.example.team=builders\n ---> Running in ([0-9a-f]{12})\n"
                + "Removing intermediate container \\1\n ---> [0-9a-f]{12}\n");
        Matcher built = Pattern.compile("Successfully built ([0-9a-f]{12})").matcher(out);
        assertThat(built.find()).isTrue();
        assertThat(ok("inspect", "--format", "{{.Id}}", "twelve:v1").trim()).startsWith("sha256:" + built.group(1));

        assertThat(ok("run", "--rm", "twelve:v1")).isEqualTo("the data\n");
        assertThat(ok("run", "--rm", "twelve:v1", "cat", "/app/listing")).contains("copy.txt", "data.txt");
        String config = inspect("{{json .Config}}", "twelve:v1");
        assertThat(config).contains("\"User\":\"nobody\"", "\"WorkingDir\":\"/app\"", "\"8080/tcp\":{}", "\"/data\":{}",
                "APP_HOME=/app", "\"org.example.team\":\"builders\"", "\"Cmd\":[\"cat\",\"/app/copy.txt\"]");
        // Each step left a real image that docker run can start.
        List<String> stepImages = new ArrayList<>();
        Matcher m = STEP_IMAGE.matcher(out);
        while (m.find()) {
            stepImages.add(m.group(1));
        }
        assertThat(stepImages).hasSize(12);
        assertThat(ok("run", "--rm", stepImages.get(6), "cat", "/app/copy.txt")).isEqualTo("the data\n");
        assertThat(ok("run", "--rm", stepImages.get(5), "ls", "/app")).isEqualTo("data.txt\n");
        // As in Docker, docker images hides the intermediate step images unless -a.
        assertThat(ok("images", "-q")).doesNotContain(stepImages.get(6));
        assertThat(ok("images", "-a", "-q")).contains(stepImages.get(6));
        // History shows each instruction as Docker writes it.
        String history = ok("history", "--no-trunc", "--format", "{{.CreatedBy}}", "twelve:v1");
        assertThat(history).contains("/bin/sh -c #(nop)  ENV APP_HOME=/app", "/bin/sh -c #(nop) WORKDIR /app",
                "|1 GREETING=hello /bin/sh -c echo \"$GREETING from run\" && cp data.txt copy.txt",
                "/bin/sh -c #(nop)  CMD [\"cat\" \"/app/copy.txt\"]", "/bin/sh -c #(nop)  EXPOSE 8080/tcp",
                "/bin/sh -c #(nop) COPY file:");
        assertThat(ok("ps", "-aq")).isEmpty();
    }

    @Test
    void cacheReusesStepsAcrossARestartAndMissesWhenAFileChanges() {
        Path ctx = context("cache", Map.of("Dockerfile", TWELVE_STEPS.replace("from run", "from cache"), "data.txt", "v1\n"));
        CommandResult first = build("build", "-t", "cached", ctx.toString());
        assertThat(first.exitCode()).as(first.toString()).isZero();
        String id = inspect("{{.Id}}", "cached");
        ok("image", "prune", "-f"); // the step images under a tagged image are not dangling: the cache stays

        tallyman.stop();
        tallyman.start();

        CommandResult again = build("build", "-t", "cached", ctx.toString());
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.stdout()).doesNotContain("Running in");
        assertThat(again.stdout().split(" ---> Using cache", -1)).hasSize(12); // 11 steps after FROM
        assertThat(inspect("{{.Id}}", "cached")).isEqualTo(id);

        try {
            Files.writeString(ctx.resolve("data.txt"), "v2\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CommandResult changed = build("build", "-t", "cached", ctx.toString());
        assertThat(changed.exitCode()).as(changed.toString()).isZero();
        String afterCopy = changed.stdout().substring(changed.stdout().indexOf("Step 6/12"));
        assertThat(afterCopy).doesNotContain("Using cache").contains("Running in");
        assertThat(ok("run", "--rm", "cached")).isEqualTo("v2\n");
        List<String> hits = payloads("build.step-finished");
        assertThat(hits.stream().filter(p -> p.contains("\"cacheHit\":true")).count()).isGreaterThanOrEqualTo(16);
    }

    @Test
    void failingRunEndsWithDockersMessageAndLeavesNoContainer() {
        Path ctx = context("failing", Map.of("Dockerfile", "FROM busybox\nRUN echo before >&2\nRUN exit 7\nCMD [\"true\"]\n"));
        CommandResult result = build("build", ctx.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("The command '/bin/sh -c exit 7' returned a non-zero code: 7");
        assertThat(result.stdout()).contains("Step 3/4 : RUN exit 7").doesNotContain("Step 4/4");
        // A step's stderr is shown in red, as Docker's classic builder shows it.
        assertThat(result.stdout()).contains("\u001b[91mbefore\n\u001b[0m");
        assertThat(ok("ps", "-aq")).isEmpty();
        List<String> failed = payloads("build.failed");
        assertThat(failed).last().asString().contains("\"step\":3", "returned a non-zero code: 7");
    }

    @Test
    void dockerignoreKeepsFilesOutWithDockersPatternRules() {
        Path ctx = context("ignore", Map.of(
                "Dockerfile", "FROM busybox\nCOPY . /ctx/\nCMD [\"find\", \"/ctx\", \"-type\", \"f\"]\n",
                ".dockerignore", "# comment\n*.log\n!keep.log\n**/secret*\nbuild/\n",
                "a.log", "x", "keep.log", "x", "src/main.c", "x", "src/deep/secret.txt", "x", "secret.key", "x",
                "build/out.o", "x"));
        CommandResult result = build("build", "-t", "ignored", ctx.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<String> files = ok("run", "--rm", "ignored").lines().sorted().toList();
        assertThat(files).contains("/ctx/keep.log", "/ctx/src/main.c", "/ctx/Dockerfile", "/ctx/.dockerignore")
                .doesNotContain("/ctx/a.log", "/ctx/src/deep/secret.txt", "/ctx/secret.key", "/ctx/build/out.o");
    }

    @Test
    void multiStageCopiesFromAStageAndTargetStopsEarly() {
        Path ctx = context("stages", Map.of("Dockerfile", """
                ARG BASE=busybox
                FROM $BASE AS builder
                RUN echo built > /artifact && echo tool > /tool
                FROM busybox AS final
                COPY --from=builder /artifact /srv/
                CMD ["cat", "/srv/artifact"]
                """));
        CommandResult all = build("build", "-t", "stages:final", ctx.toString());
        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(all.stdout()).contains("Step 1/6 : ARG BASE=busybox", "Step 5/6 : COPY --from=builder /artifact /srv/");
        assertThat(ok("run", "--rm", "stages:final")).isEqualTo("built\n");
        assertThat(tallyman.docker("run", "--rm", "stages:final", "cat", "/tool").exitCode()).isNotZero();

        CommandResult target = build("build", "--target", "builder", "-t", "stages:builder", ctx.toString());
        assertThat(target.exitCode()).as(target.toString()).isZero();
        assertThat(target.stdout()).contains("Step 3/3 : RUN").doesNotContain("Step 4/");
        assertThat(ok("run", "--rm", "stages:builder", "cat", "/tool")).isEqualTo("tool\n");

        CommandResult missing = build("build", "--target", "nosuch", ctx.toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("failed to reach build target nosuch in Dockerfile");
    }

    @Test
    void onbuildTriggersRunInTheChildBuild() {
        Path parent = context("onbuild-parent", Map.of("Dockerfile",
                "FROM busybox\nONBUILD RUN echo triggered > /trigger\nONBUILD COPY hello.txt /hello.txt\n"));
        assertThat(build("build", "-t", "onbuild-parent", parent.toString()).exitCode()).isZero();
        assertThat(inspect("{{json .Config.OnBuild}}", "onbuild-parent")).contains("RUN echo triggered > /trigger");

        Path child = context("onbuild-child", Map.of("Dockerfile", "FROM onbuild-parent\nCMD [\"cat\", \"/trigger\", \"/hello.txt\"]\n",
                "hello.txt", "hello\n"));
        CommandResult result = build("build", "-t", "onbuild-child", child.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("# Executing 2 build triggers");
        assertThat(ok("run", "--rm", "onbuild-child")).isEqualTo("triggered\nhello\n");
        assertThat(inspect("{{json .Config.OnBuild}}", "onbuild-child")).isIn("null", "[]");
    }

    @Test
    void optionsBuildArgsLabelsQuietIidfileAndDockerfileFromElsewhere() throws IOException {
        Path ctx = context("options", Map.of("Dockerfile.custom", """
                FROM busybox
                ARG WHO
                ARG UNSET_DEFAULT=fallback
                RUN echo "who=$WHO default=$UNSET_DEFAULT" > /args
                CMD ["cat", "/args"]
                """));
        Path iid = ctx.resolve("../options.iid").normalize();
        Files.deleteIfExists(iid);
        CommandResult quiet = build("build", "-q", "-f", ctx.resolve("Dockerfile.custom").toString(), "--build-arg", "WHO=tester",
                "--build-arg", "NOBODY_USES=1", "--label", "origin=it", "--iidfile", iid.toString(), "-t", "opts", ctx.toString());
        assertThat(quiet.exitCode()).as(quiet.toString()).isZero();
        String id = inspect("{{.Id}}", "opts");
        assertThat(quiet.stdout().trim()).isEqualTo(id);
        assertThat(Files.readString(iid).trim()).isEqualTo(id);
        assertThat(ok("run", "--rm", "opts")).isEqualTo("who=tester default=fallback\n");
        assertThat(inspect("{{index .Config.Labels \"origin\"}}", "opts")).isEqualTo("it");

        // -f outside the context, and the Dockerfile from stdin.
        Path elsewhere = ctx.resolveSibling("options-elsewhere.Dockerfile");
        Files.writeString(elsewhere, "FROM busybox\nCOPY Dockerfile.custom /copied\n");
        CommandResult outside = build("build", "-f", elsewhere.toString(), "-t", "outside", ctx.toString());
        assertThat(outside.exitCode()).as(outside.toString()).isZero();
        assertThat(ok("run", "--rm", "outside", "head", "-1", "/copied")).isEqualTo("FROM busybox\n");
        CommandResult stdin = tallyman.dockerWithInput("FROM busybox\nLABEL from=stdin\n".getBytes(StandardCharsets.UTF_8),
                "build", "-t", "stdin-built", "-");
        assertThat(stdin.exitCode()).as(stdin.toString()).isZero();
        assertThat(inspect("{{index .Config.Labels \"from\"}}", "stdin-built")).isEqualTo("stdin");
        CommandResult unused = build("build", "--build-arg", "NOBODY_USES=1", ctx.toString(), "-f", ctx.resolve("Dockerfile.custom").toString());
        assertThat(unused.stdout()).contains("[Warning] One or more build-args [NOBODY_USES] were not consumed");
    }

    @Test
    void copyAndAddHandleWildcardsChownArchivesAndRefuseUrls() throws Exception {
        Path ctx = context("copy", Map.of("Dockerfile", """
                FROM busybox
                COPY *.txt /texts/
                COPY --chown=nobody:nobody owned.txt /owned.txt
                COPY --chown=1234:5678 owned.txt /numeric.txt
                ADD bundle.tar.gz /unpacked/
                ADD plain.tar /plain/
                CMD ["true"]
                """, "one.txt", "1", "two.txt", "2", "owned.txt", "mine"));
        Path tree = Files.createDirectories(ctx.resolve("tree/inner"));
        Files.writeString(tree.resolve("file"), "inside\n");
        assertThat(Shell.run("tar", "-czf", ctx.resolve("bundle.tar.gz").toString(), "-C", ctx.resolve("tree").toString(), "inner").exitCode()).isZero();
        assertThat(Shell.run("tar", "-cf", ctx.resolve("plain.tar").toString(), "-C", ctx.resolve("tree").toString(), "inner").exitCode()).isZero();
        CommandResult result = build("build", "-t", "copies", ctx.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(ok("run", "--rm", "copies", "ls", "/texts")).isEqualTo("one.txt\nowned.txt\ntwo.txt\n");
        assertThat(ok("run", "--rm", "copies", "stat", "-c", "%U:%G", "/owned.txt")).isEqualTo("nobody:nobody\n");
        assertThat(ok("run", "--rm", "copies", "stat", "-c", "%u:%g", "/numeric.txt")).isEqualTo("1234:5678\n");
        assertThat(ok("run", "--rm", "copies", "cat", "/unpacked/inner/file", "/plain/inner/file")).isEqualTo("inside\ninside\n");

        Path url = context("add-url", Map.of("Dockerfile", "FROM busybox\nADD http://example.com/file /file\n"));
        CommandResult refused = build("build", url.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("ADD from a URL is not supported");
    }

    @Test
    void theRecordTellsTheBuildStoryAndDockerEventsShowTheTag() {
        String since = ok("version", "--format", "{{.Server.Version}}").isEmpty() ? "" : String.valueOf(System.currentTimeMillis() / 1000 - 1);
        Path ctx = context("record", Map.of("Dockerfile", "FROM busybox\nENV STORY=told\nRUN true\n"));
        CommandResult result = build("build", "--no-cache", "-t", "story:1", ctx.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        String id = inspect("{{.Id}}", "story:1");
        List<String> requested = payloads("build.requested");
        assertThat(requested).last().asString().contains("\"dockerfileDigest\":\"sha256:", "\"contextDigest\":\"sha256:",
                "\"tags\":[\"docker.io/library/story:1\"]", "\"steps\":3");
        assertThat(payloads("build.succeeded")).last().asString().contains(id);
        String correlation = correlationOf("build.succeeded", id);
        List<String> story = typesWithCorrelation(correlation);
        assertThat(story).startsWith("build.requested").endsWith("build.succeeded")
                .contains("image.built", "container.create-requested", "container.removed", "image.tagged");
        assertThat(actorOf("build.requested", correlation)).isEqualTo("root");
        String events = ok("events", "--since", since, "--until", String.valueOf(System.currentTimeMillis() / 1000 + 1),
                "--filter", "type=image", "--format", "{{.Action}} {{.Actor.Attributes.name}}");
        assertThat(events).contains("tag story:1");

        Path bad = context("record-bad", Map.of("Dockerfile", "FROM busybox\nFOO bar\n"));
        CommandResult refused = build("build", bad.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("dockerfile parse error line 2: unknown instruction: FOO");
        assertThat(payloads("command.refused")).last().asString().contains("POST /build", "unknown instruction: FOO");
    }

    @Test
    void dockerPyImagesBuildUsesTheClassicBuilder() {
        Path ctx = context("py", Map.of("Dockerfile", "FROM busybox\nARG X\nRUN echo py-$X > /py\nCMD [\"cat\", \"/py\"]\n"));
        String script = String.join("\n",
                "import docker, sys",
                "client = docker.DockerClient(base_url=sys.argv[1])",
                "image, logs = client.images.build(path=sys.argv[2], tag='pybuilt:1', buildargs={'X': 'yes'}, rm=True)",
                "print(image.id)",
                "print(''.join(line.get('stream', '') for line in logs))");
        CommandResult result = Shell.run(List.of("python3", "-c", script, tallyman.dockerHost(), ctx.toString()), Map.of(), null, 120);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).startsWith(inspect("{{.Id}}", "pybuilt:1")).contains("Step 3/4 : RUN echo py-$X > /py",
                "Successfully tagged pybuilt:1");
        assertThat(ok("run", "--rm", "pybuilt:1")).isEqualTo("py-yes\n");
    }

    @Test
    void aBuildInterruptedByTheServiceStoppingIsClosedAsFailedAtBoot() throws Exception {
        Path ctx = context("interrupted", Map.of("Dockerfile", "FROM busybox\nRUN echo started; sleep 60\n"));
        ProcessBuilder builder = new ProcessBuilder("/usr/local/bin/docker", "build", ctx.toString()).redirectErrorStream(true);
        builder.environment().put("DOCKER_HOST", tallyman.dockerHost());
        Process build = builder.start();
        try {
            eventually(java.time.Duration.ofSeconds(60), () -> ok("ps", "-q"), ids -> !ids.isBlank());
            tallyman.kill();
            build.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            tallyman.start();
            List<String> failed = payloads("build.failed");
            assertThat(failed).last().asString().contains("interrupted: the service stopped during the build");
            List<String> actors = new ArrayList<>();
            query("select actor_user_name from events where type = 'build.failed' order by position desc limit 1", actors);
            assertThat(actors).containsExactly("reconcile");
        } finally {
            build.destroyForcibly();
            String left = ok("ps", "-aq").trim();
            if (!left.isEmpty()) {
                List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                rm.addAll(left.lines().toList());
                ok(rm.toArray(String[]::new));
            }
        }
    }

    @Test
    void everyConfigInstructionLandsInTheImageAsDockerStoresIt() {
        Path ctx = context("instructions", Map.of("Dockerfile", """
                # escape=`
                FROM busybox
                MAINTAINER builder@example.com
                ENV BASE=/opt `
                    EMPTY=
                ENV DIR=${BASE:-/fallback}/app ALT=${EMPTY:-alt} PLUS=${BASE:+set} NOPLUS=${MISSING:+set}
                SHELL ["/bin/sh", "-e", "-c"]
                RUN echo "$DIR $ALT $PLUS [$NOPLUS]" > /vars && `
                    echo "$HTTP_PROXY" > /proxy
                RUN ["/bin/sh", "-c", "echo exec-form > /exec"]
                STOPSIGNAL SIGUSR1
                HEALTHCHECK --interval=5s --retries=2 CMD true
                ENTRYPOINT ["/bin/sh", "-c"]
                CMD ["cat /vars /exec /proxy"]
                """));
        CommandResult result = build("build", "--build-arg", "HTTP_PROXY=http://proxy.example:3128", "-t", "instructions",
                ctx.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(ok("run", "--rm", "instructions")).isEqualTo("/opt/app alt set []\nexec-form\nhttp://proxy.example:3128\n");
        assertThat(inspect("{{.Author}}", "instructions")).isEqualTo("builder@example.com");
        assertThat(inspect("{{.Config.StopSignal}}", "instructions")).isEqualTo("SIGUSR1");
        assertThat(inspect("{{json .Config.Healthcheck}}", "instructions")).contains("\"Test\":[\"CMD-SHELL\",\"true\"]",
                "\"Interval\":5000000000", "\"Retries\":2");
        assertThat(inspect("{{json .Config.Entrypoint}}", "instructions")).isEqualTo("[\"/bin/sh\",\"-c\"]");
        // The proxy args reach RUN but, being predefined, stay out of the history (and the cache key).
        String history = ok("history", "--no-trunc", "--format", "{{.CreatedBy}}", "instructions");
        assertThat(history).contains("/bin/sh -e -c echo \"$DIR $ALT $PLUS [$NOPLUS]\"").doesNotContain("proxy.example");
        // SHELL is kept in the image config, and a child build's shell-form RUN runs under it.
        assertThat(inspect("{{json .Config.Shell}}", "instructions")).isEqualTo("[\"/bin/sh\",\"-e\",\"-c\"]");
        Path child = context("instructions-child", Map.of("Dockerfile", "FROM instructions\nRUN echo child\n"));
        CommandResult childBuild = build("build", "-t", "instructions-child", child.toString());
        assertThat(childBuild.exitCode()).as(childBuild.toString()).isZero();
        assertThat(ok("history", "--no-trunc", "--format", "{{.CreatedBy}}", "instructions-child"))
                .startsWith("/bin/sh -e -c echo child\n");
    }

    @Test
    void networkHostAndRmFalseReachTheRunContainers() {
        Path ctx = context("network", Map.of("Dockerfile", "FROM busybox\nRUN ls /sys/class/net > /nets\nCMD [\"cat\", \"/nets\"]\n"));
        CommandResult none = build("build", "--no-cache", "-t", "net-default", ctx.toString());
        assertThat(none.exitCode()).as(none.toString()).isZero();
        // RUN steps join the service's default network, the bridge, as docker run does.
        assertThat(ok("run", "--rm", "net-default")).isEqualTo("eth0\nlo\n");
        CommandResult host = build("build", "--no-cache", "--network", "host", "--rm=false", "-t", "net-host", ctx.toString());
        assertThat(host.exitCode()).as(host.toString()).isZero();
        assertThat(ok("run", "--rm", "net-host").lines().count()).isGreaterThan(1);
        assertThat(host.stdout()).doesNotContain("Removing intermediate container");
        // --rm=false keeps the RUN step's container and the CMD step's, never started, as Docker does.
        List<String> kept = ok("ps", "-aq").lines().toList();
        assertThat(kept).hasSize(2);
        assertThat(ok("ps", "-a", "--filter", "status=created", "-q").lines().count()).isEqualTo(1);
        kept.forEach(id -> ok("rm", id));
    }

    @Test
    void aMissingFromImageIsPulledAndPullFetchesItAgain() throws Exception {
        Path dir = Files.createTempDirectory("build-it-registry");
        TestRegistry registry = TestRegistry.open(dir);
        try {
            String base = registry.host() + "/build-base:1";
            ok("tag", "busybox", base);
            ok("push", base);
            ok("rmi", base);
            Path ctx = context("pull", Map.of("Dockerfile", "FROM " + base + "\nLABEL pulled=yes\n"));
            CommandResult pulled = build("build", "-t", "from-registry", ctx.toString());
            assertThat(pulled.exitCode()).as(pulled.toString()).isZero();
            assertThat(pulled.stdout()).contains("1: Pulling from build-base");
            assertThat(inspect("{{.Id}}", base)).isEqualTo(inspect("{{.Id}}", "busybox"));
            CommandResult again = build("build", "--pull", "-t", "from-registry", ctx.toString());
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(again.stdout()).contains("1: Pulling from build-base", " ---> Using cache");
            assertThat(payloads("image.pull-requested")).last().asString().contains("build-base:1");
        } finally {
            registry.close();
            Shell.run("rm", "-rf", dir.toString());
        }
    }

    private List<String> payloads(String type) {
        List<String> rows = new ArrayList<>();
        query("select payload from events where type = '" + type + "' order by position", rows);
        return rows;
    }

    private String correlationOf(String type, String containing) {
        List<String> rows = new ArrayList<>();
        query("select correlation_id from events where type = '" + type + "' and payload::text like '%" + containing
                + "%' order by position desc limit 1", rows);
        return rows.get(0);
    }

    private List<String> typesWithCorrelation(String correlation) {
        List<String> rows = new ArrayList<>();
        query("select type from events where correlation_id = '" + correlation + "' order by position", rows);
        return rows;
    }

    private String actorOf(String type, String correlation) {
        List<String> rows = new ArrayList<>();
        query("select actor_user_name from events where type = '" + type + "' and correlation_id = '" + correlation + "'", rows);
        return rows.get(0);
    }

    private void query(String sql, List<String> into) {
        try (Connection c = database.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                into.add(rs.getString(1));
            }
        } catch (Exception e) {
            throw new AssertionError(sql, e);
        }
    }
}
