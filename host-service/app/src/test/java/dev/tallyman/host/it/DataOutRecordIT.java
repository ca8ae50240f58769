package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The commands that change nothing docker ps shows but that an auditor asks about: copying into a container,
 * data taken out of it (cp out, export, save), commit and terminal resizes. Each is an intent on the record
 * before its effect and its outcome after it, under the request's correlation id.
 */
class DataOutRecordIT extends ContainerItSupport {

    /** Intent type, and the outcome type that must follow it with the same correlation id. */
    private static final Map<String, String> PAIRS = Map.of(
            "container.copy-in-requested", "container.copied-in",
            "container.copy-out-requested", "container.copied-out",
            "container.export-requested", "container.exported",
            "image.commit-requested", "image.committed",
            "image.save-requested", "image.saved",
            "container.resize-requested", "container.resized");

    @Override
    protected String instanceName() {
        return "dataout";
    }

    @Test
    void everyCopyExportSaveCommitAndResizeIsAnIntentFollowedByItsOutcome() throws Exception {
        long since = Instant.now().getEpochSecond() - 1;
        ok("run", "-d", "-t", "--name", "files", "busybox", "sleep", "600");
        Path dir = Files.createTempDirectory("tallyman-dataout-");
        try {
            Files.writeString(dir.resolve("in.txt"), "brought in\n");
            ok("cp", dir.resolve("in.txt").toString(), "files:/tmp/");
            ok("cp", "files:/tmp/in.txt", dir.resolve("out.txt").toString());
            assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("brought in\n");
            ok("export", "-o", dir.resolve("export.tar").toString(), "files");
            ok("commit", "files", "dataout-commit:v1");
            ok("save", "-o", dir.resolve("save.tar").toString(), "dataout-commit:v1");
            CommandResult resize = tallyman.api("POST", "/containers/files/resize?h=33&w=101", null);
            assertThat(resize.stdout()).endsWith("200");
        } finally {
            Shell.run("rm", "-rf", dir.toString());
        }

        for (Map.Entry<String, String> pair : PAIRS.entrySet()) {
            List<String[]> intents = rows(pair.getKey());
            assertThat(intents).as(pair.getKey()).isNotEmpty();
            for (String[] intent : intents) {
                assertThat(rows(pair.getValue())).as("%s closed by %s", pair.getKey(), pair.getValue())
                        .anySatisfy(outcome -> {
                            assertThat(outcome[1]).isEqualTo(intent[1]);
                            assertThat(Long.parseLong(outcome[0])).isGreaterThan(Long.parseLong(intent[0]));
                        });
            }
        }
        // What left the container is named, and how much of it.
        assertThat(ImageItSupport.payloads(database, "container.copy-out-requested")).singleElement().asString().contains("/tmp/in.txt");
        assertThat(ImageItSupport.payloads(database, "container.copied-out")).singleElement().asString()
                .containsPattern("\"bytes\":[1-9][0-9]*");
        assertThat(ImageItSupport.payloads(database, "image.save-requested")).singleElement().asString().contains("dataout-commit:v1");
        assertThat(ImageItSupport.payloads(database, "container.resized")).singleElement().asString().contains("\"height\":33", "\"width\":101");

        // docker events shows them under Docker's names.
        List<String> actions = ok("events", "--since", Long.toString(since), "--until", Long.toString(Instant.now().getEpochSecond() + 1),
                "--filter", "container=files", "--format", "{{.Action}}").lines().toList();
        assertThat(actions).contains("extract-to-dir", "archive-path", "export", "resize");

        // A copy out of a path that is not there is refused before anything is asked of the container.
        CommandResult missing = tallyman.docker("cp", "files:/no/such/file", "/tmp/tallyman-dataout-none");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(rows("container.copy-out-requested")).hasSize(1);
        ok("rm", "-f", "files");
    }

    /** position and correlation id of each event of the type, oldest first. */
    private List<String[]> rows(String type) throws Exception {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement(
                     "select position, correlation_id::text from events where type = ? order by position")) {
            s.setString(1, type);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        return rows;
    }
}
