package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * docker logs over Docker's json-file format on disk: the file itself, stdout and stderr kept apart, follow,
 * timestamps, tail, since and until, details from --log-opt labels, and rotation by max-size and max-file.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogsIT extends ContainerItSupport {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected String instanceName() {
        return "logs";
    }

    @Test
    @Order(1)
    void theLogIsDockersJsonFileOnDisk() throws Exception {
        assertThat(ok("run", "--name", "jf", "busybox", "sh", "-c", "echo out1; echo err1 >&2; echo out2")).isEqualTo("out1\nout2\n");
        Path logPath = Path.of(inspect("{{.LogPath}}", "jf"));
        assertThat(logPath.getFileName().toString()).isEqualTo(inspect("{{.Id}}", "jf") + "-json.log");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(logPath)) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).hasSize(3);
        for (JsonNode line : lines) {
            assertThat(line.fieldNames()).toIterable().containsExactly("log", "stream", "time");
            assertThat(Instant.parse(line.get("time").asText())).isBefore(Instant.now());
        }
        assertThat(lines).extracting(l -> l.get("stream").asText() + ":" + l.get("log").asText())
                .containsExactlyInAnyOrder("stdout:out1\n", "stderr:err1\n", "stdout:out2\n");
        assertThat(lines.get(0).get("log").asText()).isEqualTo("out1\n");

        CommandResult logs = tallyman.docker("logs", "jf");
        assertThat(logs.stdout()).isEqualTo("out1\nout2\n");
        assertThat(logs.stderr()).isEqualTo("err1\n");
    }

    @Test
    @Order(2)
    void followStreamsUntilTheContainerExits() {
        ok("run", "-d", "--name", "fol", "busybox", "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; sleep 0.3; done; echo bye >&2");
        long began = System.nanoTime();
        CommandResult followed = tallyman.docker("logs", "-f", "fol");
        assertThat(followed.exitCode()).as(followed.toString()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThan(Duration.ofMillis(500));
        assertThat(followed.stdout()).isEqualTo("line1\nline2\nline3\nline4\nline5\n");
        assertThat(followed.stderr()).isEqualTo("bye\n");
        // Following a stopped container prints what there is and ends.
        assertThat(ok("logs", "-f", "fol")).isEqualTo("line1\nline2\nline3\nline4\nline5\n");
    }

    @Test
    @Order(3)
    void timestampsTailSinceAndUntil() {
        ok("run", "--name", "tim", "busybox", "sh", "-c", "echo early1; echo early2; sleep 2; echo late");
        List<String> stamped = ok("logs", "-t", "tim").lines().toList();
        assertThat(stamped).hasSize(3);
        Instant[] times = new Instant[3];
        for (int i = 0; i < 3; i++) {
            String[] parts = stamped.get(i).split(" ", 2);
            assertThat(parts[0]).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z");
            times[i] = Instant.parse(parts[0]);
        }
        assertThat(stamped.get(2)).endsWith(" late");
        assertThat(Duration.between(times[1], times[2])).isGreaterThan(Duration.ofMillis(1500));

        assertThat(ok("logs", "--tail", "2", "tim")).isEqualTo("early2\nlate\n");
        assertThat(ok("logs", "--tail", "0", "tim")).isEmpty();
        assertThat(ok("logs", "-n", "all", "tim")).isEqualTo("early1\nearly2\nlate\n");

        Instant middle = times[1].plusMillis(800);
        String middleText = middle.getEpochSecond() + "." + String.format("%09d", middle.getNano());
        assertThat(ok("logs", "--since", middleText, "tim")).isEqualTo("late\n");
        assertThat(ok("logs", "--until", middleText, "tim")).isEqualTo("early1\nearly2\n");
        assertThat(ok("logs", "--since", middle.toString(), "tim")).isEqualTo("late\n");
        assertThat(exits(1, "logs", "--tail", "many", "tim").stderr()).contains("Error response from daemon");
    }

    @Test
    @Order(4)
    void detailsShowTheLabelsAskedFor() {
        ok("run", "--name", "det", "--label", "team=core", "--label", "other=x", "--log-opt", "labels=team",
                "--env", "STAGE=test", "--log-opt", "env=STAGE", "busybox", "echo", "hi");
        String details = ok("logs", "--details", "det");
        assertThat(details).startsWith("STAGE=test,team=core hi\n").hasLineCount(1);
        assertThat(details).doesNotContain("other=x");
        assertThat(inspect("{{.HostConfig.LogConfig.Type}} {{index .HostConfig.LogConfig.Config \"labels\"}}", "det"))
                .isEqualTo("json-file team");
        assertThat(ok("logs", "det")).isEqualTo("hi\n");
    }

    @Test
    @Order(5)
    void rotationKeepsMaxFileFilesOfMaxSize() throws Exception {
        ok("run", "--name", "rot", "--log-opt", "max-size=1k", "--log-opt", "max-file=3", "busybox", "sh", "-c",
                "i=1; while [ $i -le 200 ]; do echo \"line-$i-padding-padding-padding\"; i=$((i+1)); done");
        Path logPath = Path.of(inspect("{{.LogPath}}", "rot"));
        assertThat(logPath).exists();
        assertThat(Path.of(logPath + ".1")).exists();
        assertThat(Path.of(logPath + ".2")).exists();
        assertThat(Path.of(logPath + ".3")).doesNotExist();
        for (Path file : List.of(logPath, Path.of(logPath + ".1"), Path.of(logPath + ".2"))) {
            assertThat(Files.size(file)).as(file.toString()).isLessThanOrEqualTo(1024 + 200);
        }
        List<String> shown = ok("logs", "rot").lines().toList();
        assertThat(shown).last().isEqualTo("line-200-padding-padding-padding");
        assertThat(shown).doesNotContain("line-1-padding-padding-padding");
        // What docker logs shows is a gapless run of the newest lines.
        int first = Integer.parseInt(shown.get(0).split("-")[1]);
        for (int i = 0; i < shown.size(); i++) {
            assertThat(shown.get(i)).isEqualTo("line-" + (first + i) + "-padding-padding-padding");
        }
        assertThat(exits(125, "run", "--log-opt", "max-size=bogus", "busybox", "true").stderr()).contains("invalid size: 'bogus'");
        ok("rm", "rot");
        assertThat(logPath).doesNotExist();
        assertThat(logPath.getParent()).doesNotExist();
    }

    @Test
    @Order(6)
    void logsOfAnUnknownContainerIsRefused() {
        assertThat(exits(1, "logs", "nosuch").stderr()).contains("No such container: nosuch");
        ok("rm", "jf", "fol", "tim", "det");
        assertNothingLeft();
    }
}
