package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The service boots from a snapshot of its projections (issue 10): after a clean stop it starts from the
 * snapshot it took at shutdown and shows what it showed before; a snapshot changed in the table is refused,
 * on the record with actor SYSTEM, and the service still boots to the same state by folding every event.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SnapshotBootIT extends ContainerItSupport {

    @Override
    protected String instanceName() {
        return "replay-snapshot";
    }

    @Override
    protected String storageDriver() {
        return "vfs";
    }

    @Test
    @Order(1)
    void aBootAfterACleanStopStartsFromTheSnapshotTakenAtShutdownAndShowsTheSameState() throws Exception {
        ok("create", "--name", "first", "--label", "role=web", "busybox", "true");
        ok("create", "--name", "second", "busybox", "sleep", "1");
        ok("rename", "second", "renamed");
        ok("volume", "create", "--label", "keep=yes", "replay-snapshot-data");
        ok("tag", "busybox:latest", "busybox:snap");
        String state = state();
        String ps = ok("ps", "-a", "--format", "{{.Names}} {{.Image}} {{.Status}}");
        String images = ok("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}");
        long last = lastPosition();

        tallyman.stop();
        tallyman.start();

        // the snapshot was taken after the last event; its own snapshot.taken is the one event folded after it
        assertThat(rebuildLine()).as("the boot's own account").contains("snapshot at " + last + ", 1 events folded after it");
        assertThat(state()).isEqualTo(state);
        assertThat(ok("ps", "-a", "--format", "{{.Names}} {{.Image}} {{.Status}}")).isEqualTo(ps);
        assertThat(ok("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}")).isEqualTo(images);
        assertThat(snapshotEvents()).anySatisfy(e -> assertThat(e).startsWith("snapshot.taken SYSTEM snapshots " + last + " "));
        // and the service goes on from there
        ok("create", "--name", "third", "busybox", "true");
        assertThat(ok("ps", "-a", "--format", "{{.Names}}").lines().sorted().toList())
                .containsExactly("first", "renamed", "third");
    }

    @Test
    @Order(2)
    void aSnapshotChangedInTheTableIsRefusedOnTheRecordAndTheServiceBootsToTheSameState() throws Exception {
        String state = state();
        String ps = ok("ps", "-a", "--format", "{{.Names}} {{.Image}} {{.Status}}");
        tallyman.stop();
        long position;
        byte[] stored;
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select position, state from projection_snapshots order by position desc limit 1")) {
            assertThat(rs.next()).as("a snapshot taken at shutdown").isTrue();
            position = rs.getLong(1);
            stored = rs.getBytes(2);
        }
        // "first" becomes "hidden" in the stored state, as someone with access to the table could make it
        String json = gunzip(stored);
        assertThat(json).contains("\"first\"");
        try (Connection c = database.connect();
             PreparedStatement ps2 = c.prepareStatement("update projection_snapshots set state = ? where position = ?")) {
            ps2.setBytes(1, gzip(json.replace("\"first\"", "\"hidden\"")));
            ps2.setLong(2, position);
            assertThat(ps2.executeUpdate()).isEqualTo(1);
        }

        tallyman.start();

        assertThat(state()).isEqualTo(state);
        assertThat(ok("ps", "-a", "--format", "{{.Names}} {{.Image}} {{.Status}}")).isEqualTo(ps);
        exits(1, "inspect", "hidden");
        assertThat(snapshotEvents()).anySatisfy(e -> assertThat(e)
                .startsWith("snapshot.refused SYSTEM snapshots " + position)
                .contains("the state was changed"));
        // the snapshot taken at the stop before (kept beside the newest) is the newest that belongs to the record
        assertThat(rebuildLine()).contains("snapshot at ").doesNotContain("snapshot at " + position + ",");
        assertThat(tallyman.api("GET", "/tallyman/verify", null).stdout()).contains("\"intact\":true");
    }

    /** /tallyman/state without curl's status line. */
    private String state() {
        String out = tallyman.api("GET", "/tallyman/state", null).stdout();
        assertThat(out).endsWith("\n200");
        return out.substring(0, out.lastIndexOf('\n'));
    }

    private String rebuildLine() throws Exception {
        String found = "";
        for (String line : Files.readAllLines(tallyman.log)) {
            int at = line.indexOf("projections at event");
            if (at >= 0) {
                found = line.substring(at);
            }
        }
        return found;
    }

    private long lastPosition() throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select max(position) from events")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** "type actor_kind actor_user_name position reason" of the snapshots stream, oldest first. */
    private List<String> snapshotEvents() throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select type, actor_kind, actor_user_name, payload::jsonb->>'position',"
                     + " coalesce(payload::jsonb->>'reason', '') from events where stream_id = 'snapshots' order by version")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4)
                        + " " + rs.getString(5));
            }
        }
        return rows;
    }

    private static String gunzip(byte[] bytes) throws java.io.IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] gzip(String text) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
