package dev.tallyman.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.audit.event.ContainerEvent.ContainerStartRequested;
import dev.tallyman.audit.evidence.CheckpointFile;
import dev.tallyman.audit.evidence.CheckpointKey;
import dev.tallyman.audit.evidence.EvidenceVerifier;
import dev.tallyman.audit.evidence.JdbcCheckpointStore;
import dev.tallyman.audit.evidence.Verification;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier on a real store (issue 11), for what the service-level EvidenceIT does not reach: the boot's
 * check from the last verified checkpoint (what it catches below that checkpoint and what it leaves to a full
 * verify), a checkpoint deleted from the table, and one forged with another key.
 */
class EvidenceVerifierIT {
    @TempDir
    Path dir;

    private FreshSchema schema;
    private JdbcEventStore store;
    private CheckpointKey key;
    private CheckpointFile file;
    private JdbcCheckpointStore table;
    private EvidenceVerifier verifier;

    @BeforeEach
    void fortyEventsCheckpointedEveryTen() throws Exception {
        schema = new FreshSchema();
        JdbcEventStore.migrate(schema.dataSource());
        store = new JdbcEventStore(schema.dataSource(), Clock.systemUTC());
        key = CheckpointKey.loadOrCreate(dir.resolve("checkpoint.key"));
        file = new CheckpointFile(dir.resolve("checkpoints.jsonl"));
        table = new JdbcCheckpointStore(schema.dataSource());
        StreamId stream = StreamId.container("ev11");
        for (int i = 0; i < 40; i++) {
            List<RecordedEvent> written = store.append(stream, i == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(i - 1),
                    List.of(new ContainerStartRequested("ev11")), Actor.system("test"), UUID.randomUUID());
            RecordedEvent last = written.get(written.size() - 1);
            if (last.position() % 10 == 0) {
                var checkpoint = key.sign(last.position(), last.hash(), Instant.now());
                file.append(checkpoint);
                table.save(checkpoint);
            }
        }
        verifier = new EvidenceVerifier(schema.dataSource(), key, file, table);
        assertThat(verifier.all().intact()).isTrue();
        table.markVerified(40, Instant.now());
    }

    @AfterEach
    void close() throws Exception {
        try {
            store.close();
        } finally {
            schema.close();
        }
    }

    @Test
    void theBootsCheckStartsAtTheNewestVerifiedCheckpointAndReadsOnlyWhatFollows() throws Exception {
        appendMore(5);
        Verification boot = verifier.sinceLastVerified();
        assertThat(boot.intact()).isTrue();
        assertThat(boot.from()).isEqualTo(40);
        assertThat(boot.eventsChecked()).isEqualTo(5);
    }

    @Test
    void aRowDeletedBelowTheAnchorIsFoundByTheBootsCountAndNamed() throws Exception {
        tamper("delete from events where position = 17");
        assertThat(problems(verifier.sinceLastVerified())).containsExactly("deleted-event 17");
        assertThat(problems(verifier.all())).containsExactly("deleted-event 17");
    }

    @Test
    void aRowEditedBelowTheAnchorWithoutRehashingIsLeftToTheFullVerify() throws Exception {
        tamper("update events set actor_user_name = 'someone-else' where position = 17");
        assertThat(verifier.sinceLastVerified().intact()).as("the boot reads nothing below its anchor but its hash and count").isTrue();
        assertThat(problems(verifier.all())).containsExactly("edited-event 17");
    }

    @Test
    void aCheckpointDeletedFromTheTableIsNamedFromTheFile() throws Exception {
        schema.sql("alter table checkpoints disable trigger user");
        schema.sql("delete from checkpoints where position = 20");
        assertThat(problems(verifier.all())).containsExactly("missing-checkpoint 20");
    }

    @Test
    void aCheckpointForgedWithAnotherKeyHasABadSignatureNamingTheKey() {
        CheckpointKey other = CheckpointKey.loadOrCreate(dir.resolve("other.key"));
        file.append(other.sign(40, "ff".repeat(32), Instant.now()));
        Verification result = verifier.all();
        assertThat(problems(result)).containsExactly("bad-signature 40");
        assertThat(result.problems().get(0).detail()).contains(other.keyId()).contains(key.keyId());
    }

    private void appendMore(int count) {
        StreamId stream = StreamId.container("ev11-more");
        for (int i = 0; i < count; i++) {
            store.append(stream, i == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(i - 1),
                    List.of(new ContainerStartRequested("ev11-more")), Actor.system("test"), UUID.randomUUID());
        }
    }

    private void tamper(String sql) throws Exception {
        schema.sql("alter table events disable trigger user");
        schema.sql(sql);
        schema.sql("alter table events enable trigger user");
    }

    private static List<String> problems(Verification verification) {
        return verification.problems().stream().map(p -> p.kind().wireName() + " " + p.position()).toList();
    }
}
