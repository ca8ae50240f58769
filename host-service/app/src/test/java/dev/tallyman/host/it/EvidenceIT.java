package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.EventHash;
import dev.tallyman.audit.store.StreamId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Evidence outside the database (issue 11): the service signs checkpoints into a file the database cannot reach,
 * and each way of tampering with the record as the database's owner (trigger disabled) is detected and named by
 * {@code GET /tallyman/v1/verify} and {@code ops/tallyman verify}: an edited row, a deleted row, a deleted tail, a
 * chain recomputed with Tallyman's own hash code, a forged or altered checkpoint. Each case puts the record back
 * before the next. Last, a boot refuses to serve from a tampered record unless told to.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EvidenceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    // a middle event: after the boot's own events, before the newest checkpoint
    private static final long P = 6;

    private TestDatabase database;
    private TallymanProcess tallyman;
    private Path keyFile;
    private Path checkpointFile;

    @BeforeAll
    void start() {
        database = new TestDatabase();
        tallyman = new TallymanProcess("ev11-evidence", database, "vfs")
                .withEnv("TALLYMAN_CHECKPOINT_EVERY_EVENTS", "5")
                .withEnv("TALLYMAN_CHECKPOINT_EVERY_SECONDS", "1");
        keyFile = tallyman.dataRoot.resolve("config/checkpoint.key");
        checkpointFile = tallyman.dataRoot.resolve("evidence/" + database.schema + ".jsonl");
        tallyman.start();
        for (int i = 0; i < 12; i++) {
            CommandResult created = tallyman.docker("volume", "create", "ev11-v" + i);
            assertThat(created.exitCode()).as(created.toString()).isZero();
        }
        awaitCheckpointAtHead();
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
        }
    }

    @Test
    @Order(1)
    void anUntouchedRecordIsIntactWithEveryCheckpointCheckedAndTheKeyFileIsTheOwnersOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(CheckpointKeyFiles.publicOf(keyFile)).exists();
        List<String> lines = Files.readAllLines(checkpointFile);
        assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
        JsonNode line = JSON.readTree(lines.get(lines.size() - 1));
        assertThat(line.get("position").asLong()).isEqualTo(head());
        assertThat(line.get("headHash").asText()).isEqualTo(hashAt(head()));
        assertThat(line.has("signature") && line.has("keyId") && line.has("signedAt")).isTrue();
        assertThat(count("select count(*) from checkpoints")).isEqualTo(lines.size());

        JsonNode verify = verifyApi();
        assertThat(verify.get("intact").asBoolean()).as(verify.toString()).isTrue();
        assertThat(verify.get("eventsChecked").asLong()).isEqualTo(head());
        assertThat(verify.get("checkpointsChecked").asLong()).isEqualTo(2L * lines.size());
        assertThat(verify.get("problems")).isEmpty();
        CommandResult ops = opsVerify();
        assertThat(ops.exitCode()).as(ops.toString()).isZero();
        assertThat(ops.stdout()).contains("verify: intact: " + head() + " events");
    }

    @Test
    @Order(2)
    void anEditedRowIsNamedAtItsPosition() throws Exception {
        backUp("select * from events where position = " + P);
        tamper("update events set payload = replace(payload::text, '\"', '\" ')::json where position = " + P);
        assertProblems("edited-event " + P);
        restoreEvents(P, P);
    }

    @Test
    @Order(3)
    void aDeletedRowIsNamedAsAGapAtItsPosition() throws Exception {
        backUp("select * from events where position = " + P);
        tamper("delete from events where position = " + P);
        assertProblems("deleted-event " + P);
        restoreEvents(P, P);
    }

    @Test
    @Order(4)
    void aDeletedTailIsNamedFromTheSignedCheckpointAboveIt() throws Exception {
        long head = head();
        long cut = head - 3;
        backUp("select * from events where position > " + cut);
        tamper("delete from events where position > " + cut);
        JsonNode verify = assertProblems("deleted-tail " + (cut + 1));
        assertThat(verify.get("problems").get(0).get("detail").asText())
                .contains("the store ends at event " + cut).contains("covers event " + head);
        restoreEvents(cut + 1, head);
    }

    @Test
    @Order(5)
    void aChainRecomputedWithFullDatabaseAccessHoldsTogetherButDiffersFromTheSignedCheckpoints() throws Exception {
        long head = head();
        backUp("select * from events where position >= " + P);
        tamper("update events set payload = replace(payload::text, '\"', '\" ')::json where position = " + P);
        recomputeChainFrom(P);
        List<Long> signedAtOrAfter = checkpointPositions().stream().filter(p -> p >= P).toList();
        assertThat(signedAtOrAfter).isNotEmpty();
        // nothing in the table gives it away: only the checkpoints do, at every one from P on
        String[] expected = signedAtOrAfter.stream().map(p -> "rewritten-chain " + p).toArray(String[]::new);
        JsonNode verify = assertProblems(expected);
        assertThat(verify.get("problems").get(0).get("detail").asText()).contains("recomputed");
        restoreEvents(P, head);
    }

    @Test
    @Order(6)
    void aCheckpointAlteredInTheFileOrInTheTableHasABadSignature() throws Exception {
        byte[] original = Files.readAllBytes(checkpointFile);
        List<String> lines = Files.readAllLines(checkpointFile);
        JsonNode first = JSON.readTree(lines.get(0));
        long position = first.get("position").asLong();
        lines.set(0, lines.get(0).replace(first.get("headHash").asText(), "0".repeat(64)));
        Files.write(checkpointFile, lines);
        assertProblems("bad-signature " + position);
        Files.write(checkpointFile, original);

        backUp("select * from checkpoints where position = " + position, "ev11_checkpoints_backup");
        tamper("alter table checkpoints disable trigger checkpoints_append_only",
                "update checkpoints set head_hash = '" + "1".repeat(64) + "' where position = " + position,
                "alter table checkpoints enable trigger checkpoints_append_only");
        assertProblems("bad-signature " + position);
        tamper("alter table checkpoints disable trigger checkpoints_append_only",
                "delete from checkpoints where position = " + position,
                "insert into checkpoints select * from ev11_checkpoints_backup",
                "drop table ev11_checkpoints_backup",
                "alter table checkpoints enable trigger checkpoints_append_only");
        assertThat(verifyApi().get("intact").asBoolean()).isTrue();
    }

    @Test
    @Order(7)
    void aBootVerifiesOnlyWhatCameAfterTheLastVerifiedCheckpointAndRefusesToServeATamperedRecordUnlessTold() throws Exception {
        // the intact verify just now marked the record verified up to its head
        long head = head();
        tallyman.stop();
        long before = Files.size(tallyman.log);
        tallyman.start();
        String boot = logSince(before);
        java.util.regex.Matcher verified = java.util.regex.Pattern
                .compile("record verified: (\\d+) events after event (\\d+) \\(to (\\d+)\\)").matcher(boot);
        assertThat(verified.find()).as(boot).isTrue();
        assertThat(Long.parseLong(verified.group(2))).as("the walk starts after the last verified checkpoint")
                .isGreaterThanOrEqualTo(head);
        assertThat(Long.parseLong(verified.group(1))).as("events walked").isLessThan(head - P);

        tallyman.stop();
        long signedHead = head();
        assertThat(signedHead).isGreaterThanOrEqualTo(head);
        tamper("update events set payload = replace(payload::text, '\"', '\" ')::json where position = " + P);
        recomputeChainFrom(P);
        before = Files.size(tallyman.log);
        assertThatThrownBy(tallyman::start).hasMessageContaining("tallyman exited");
        String refused = logSince(before);
        assertThat(refused).contains("refusing to serve: the record fails verification")
                .contains("record verification: rewritten-chain at event");

        // with the service down, ops/tallyman verify reads the database itself
        CommandResult ops = opsVerify();
        assertThat(ops.exitCode()).as(ops.toString()).isEqualTo(1);
        assertThat(ops.stderr()).contains("verify: rewritten-chain at event");

        tallyman.withEnv("TALLYMAN_ALLOW_UNVERIFIED", "1");
        before = Files.size(tallyman.log);
        tallyman.start();
        assertThat(logSince(before)).contains("SERVING FROM A RECORD THAT FAILS VERIFICATION");
        assertThat(verifyApi().get("intact").asBoolean()).isFalse();
    }

    // ---- helpers

    /** The problems verify names, as "kind position", through both the API and ops/tallyman; answers the API's JSON. */
    private JsonNode assertProblems(String... expected) {
        JsonNode verify = verifyApi();
        assertThat(verify.get("intact").asBoolean()).as(verify.toString()).isFalse();
        List<String> found = new ArrayList<>();
        verify.get("problems").forEach(p -> found.add(p.get("kind").asText() + " " + p.get("position").asLong()));
        assertThat(found).as(verify.toString()).containsExactly(expected);
        CommandResult ops = opsVerify();
        assertThat(ops.exitCode()).as(ops.toString()).isEqualTo(1);
        for (String problem : expected) {
            String[] kindAndPosition = problem.split(" ");
            assertThat(ops.stderr()).contains("verify: " + kindAndPosition[0] + " at event " + kindAndPosition[1] + ":");
        }
        assertThat(ops.stderr()).contains("verify: NOT intact");
        return verify;
    }

    private JsonNode verifyApi() {
        CommandResult answer = tallyman.api("GET", "/tallyman/v1/verify", null);
        String out = answer.stdout();
        assertThat(out).as(answer.toString()).endsWith("\n200");
        try {
            return JSON.readTree(out.substring(0, out.lastIndexOf('\n')));
        } catch (Exception e) {
            throw new AssertionError(out, e);
        }
    }

    private CommandResult opsVerify() {
        Map<String, String> env = new HashMap<>();
        env.put("TALLYMAN_SOCKET", tallyman.socket.toString());
        env.put("TALLYMAN_DATA_ROOT", tallyman.dataRoot.toString());
        env.put("TALLYMAN_EXEC_ROOT", tallyman.execRoot.toString());
        env.put("TALLYMAN_DB_URL", database.url());
        env.put("TALLYMAN_DB_USER", database.user);
        env.put("TALLYMAN_DB_PASSWORD", database.password);
        env.put("TALLYMAN_CHECKPOINT_KEY", keyFile.toString());
        env.put("TALLYMAN_CHECKPOINT_FILE", checkpointFile.toString());
        return Shell.run(List.of(REPO.resolve("ops/tallyman").toString(), "verify"), env, null, 120);
    }

    private void awaitCheckpointAtHead() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                List<String> lines = Files.exists(checkpointFile) ? Files.readAllLines(checkpointFile) : List.of();
                if (!lines.isEmpty() && JSON.readTree(lines.get(lines.size() - 1)).get("position").asLong() == head()) {
                    return;
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no checkpoint of event " + head() + " in " + checkpointFile);
            }
            sleep(200);
        }
    }

    /** As the database's owner: the append-only trigger off, the statements, the trigger on again. */
    private void tamper(String... statements) throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            s.execute("alter table events disable trigger user");
            for (String sql : statements) {
                s.execute(sql);
            }
            s.execute("alter table events enable trigger user");
        }
    }

    private void backUp(String select) throws Exception {
        backUp(select, "ev11_backup");
    }

    private void backUp(String select, String table) throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            s.execute("drop table if exists " + table);
            s.execute("create table " + table + " as " + select);
        }
    }

    /** Puts events first..last back from the backup, exactly as they were; the record is intact again. */
    private void restoreEvents(long first, long last) throws Exception {
        tamper("delete from events where position between " + first + " and " + last,
                "insert into events select * from ev11_backup", "drop table ev11_backup");
        JsonNode verify = verifyApi();
        assertThat(verify.get("intact").asBoolean()).as("restored: " + verify).isTrue();
    }

    /** What someone with full database access and Tallyman's source does: rehash every event from {@code first} on. */
    private void recomputeChainFrom(long first) throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            s.execute("alter table events disable trigger user");
            String previous = first == 1 ? EventHash.GENESIS : hashAt(first - 1);
            try (ResultSet rs = s.executeQuery("select position, stream_id, version, type, payload::text, actor_kind,"
                    + " actor_uid, actor_pid, actor_user_name, actor_tls_subject, correlation_id, occurred_at"
                    + " from events where position >= " + first + " order by position");
                 PreparedStatement update = c.prepareStatement("update events set previous_hash = ?, hash = ? where position = ?")) {
                while (rs.next()) {
                    String hash = EventHash.of(previous, rs.getLong(1), new StreamId(rs.getString(2)), rs.getLong(3),
                            rs.getString(4), rs.getString(5),
                            new Actor(Actor.Kind.valueOf(rs.getString(6)), rs.getInt(7), rs.getInt(8), rs.getString(9), rs.getString(10)),
                            rs.getObject(11, UUID.class), rs.getObject(12, OffsetDateTime.class).toInstant());
                    update.setString(1, previous);
                    update.setString(2, hash);
                    update.setLong(3, rs.getLong(1));
                    update.executeUpdate();
                    previous = hash;
                }
            }
            s.execute("alter table events enable trigger user");
        }
    }

    private List<Long> checkpointPositions() throws Exception {
        List<Long> positions = new ArrayList<>();
        for (String line : Files.readAllLines(checkpointFile)) {
            positions.add(JSON.readTree(line).get("position").asLong());
        }
        return positions;
    }

    private long head() {
        return count("select coalesce(max(position), 0) from events");
    }

    private long count(String sql) {
        try (Connection c = database.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private String hashAt(long position) {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select hash from events where position = " + position)) {
            assertThat(rs.next()).as("event " + position).isTrue();
            return rs.getString(1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private String logSince(long offset) throws Exception {
        byte[] all = Files.readAllBytes(tallyman.log);
        return new String(all, (int) offset, all.length - (int) offset, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** The public key file beside the private one, as the service writes it. */
    private static final class CheckpointKeyFiles {
        static Path publicOf(Path key) {
            return key.resolveSibling(key.getFileName() + ".pub");
        }
    }
}
