package dev.tallyman.host.config;

import dev.tallyman.audit.evidence.CheckpointFile;
import dev.tallyman.audit.evidence.CheckpointKey;
import dev.tallyman.audit.evidence.Checkpointer;
import dev.tallyman.audit.evidence.EvidenceVerifier;
import dev.tallyman.audit.evidence.JdbcCheckpointStore;
import dev.tallyman.audit.evidence.Problem;
import dev.tallyman.audit.evidence.Verification;
import dev.tallyman.audit.store.JdbcEventStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Evidence outside the database (issue 11): the checkpoint key and file, the check of the record at boot (from
 * the last verified checkpoint on), and the checkpointer that signs the head from then on.
 *
 * <p>A boot that finds the record tampered with refuses to serve, unless {@code tallyman.allow-unverified} is
 * set: serving from it would fold a forged past into the state every client sees and every later checkpoint.
 */
public final class EvidenceWiring implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EvidenceWiring.class);

    /**
     * The settings, read from MicroProfile Config (so TALLYMAN_CHECKPOINT_KEY and so on from the environment).
     *
     * @param key             the private key file (0600); its public key is {@code <key>.pub}
     * @param file            the append-only checkpoint file
     * @param everyEvents     a checkpoint after this many events
     * @param every           and this long after the last when events came since
     * @param allowUnverified serve even from a record that fails the boot's check (logged loudly)
     */
    public record Settings(Path key, Path file, long everyEvents, Duration every, boolean allowUnverified) {
        public static Settings read(Config config, Path dataRoot) {
            return new Settings(
                    config.getOptionalValue("tallyman.checkpoint-key", String.class).map(Path::of)
                            .orElse(Path.of("/etc/tallyman/checkpoint.key")),
                    config.getOptionalValue("tallyman.checkpoint-file", String.class).map(Path::of)
                            .orElse(dataRoot.resolve("evidence").resolve("checkpoints.jsonl")),
                    config.getOptionalValue("tallyman.checkpoint-every-events", Long.class).orElse(1000L),
                    Duration.ofSeconds(config.getOptionalValue("tallyman.checkpoint-every-seconds", Long.class).orElse(60L)),
                    config.getOptionalValue("tallyman.allow-unverified", Boolean.class).orElse(false));
        }
    }

    private final Settings settings;
    private final CheckpointKey key;
    private final CheckpointFile file;
    private final EvidenceVerifier verifier;
    private final JdbcCheckpointStore table;
    private final JdbcEventStore store;
    private final Clock clock;
    private final CompletableFuture<Verification> bootCheck;
    // the check's own time, not the wait for it: it runs beside the rebuild
    private volatile long checkMillis;
    private Checkpointer checkpointer;

    private EvidenceWiring(Settings settings, DataSource dataSource, JdbcEventStore store, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        boolean made = !Files.exists(settings.key());
        this.key = CheckpointKey.loadOrCreate(settings.key());
        if (made) {
            LOG.infof("checkpoint key %s made at %s (mode 0600), public key %s", key.keyId(), settings.key(),
                    CheckpointKey.publicFile(settings.key()));
        }
        this.file = new CheckpointFile(settings.file());
        this.table = new JdbcCheckpointStore(dataSource);
        this.verifier = new EvidenceVerifier(dataSource, key, file, table);
        // Beside the projections' rebuild, which reads the same events: on a store never checked before (the
        // first start with checkpoints) the walk covers every event, and side by side the two take the time of
        // the longer one instead of the sum.
        this.bootCheck = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                long walking = System.nanoTime();
                Verification verification = verifier.sinceLastVerified();
                checkMillis = (System.nanoTime() - walking) / 1_000_000;
                bootCheck.complete(verification);
            } catch (RuntimeException e) {
                bootCheck.completeExceptionally(e);
            }
        }, "tallyman-boot-verify");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Loads (or makes) the key and starts checking the record since the last verified checkpoint; {@link
     * #awaitVerified()} takes the answer.
     */
    public static EvidenceWiring begin(Settings settings, DataSource dataSource, JdbcEventStore store, Clock clock) {
        return new EvidenceWiring(settings, dataSource, store, clock);
    }

    /**
     * Waits for the boot's check; a record that fails it stops the boot here (an exception, after a log line per
     * problem) unless {@code allowUnverified}. Then starts signing checkpoints. Call before anything is reconciled
     * or served.
     */
    public void awaitVerified() {
        Verification verification;
        try {
            verification = bootCheck.join();
        } catch (CompletionException e) {
            throw new IllegalStateException("verify the record at boot: " + e.getCause().getMessage(), e.getCause());
        }
        long millis = checkMillis;
        if (verification.intact()) {
            table.markVerified(verification.head(), clock.instant());
            LOG.infof("record verified: %d events after event %d (to %d) and %d checkpoints against key %s in %d ms",
                    verification.eventsChecked(), verification.from(), verification.head(),
                    verification.checkpointsChecked(), key.keyId(), millis);
        } else {
            for (Problem problem : verification.problems()) {
                LOG.errorf("record verification: %s at event %d: %s", problem.kind().wireName(), problem.position(),
                        problem.detail());
            }
            Problem first = verification.problems().get(0);
            String summary = verification.problems().size() + " problem(s), the first " + first.kind().wireName()
                    + " at event " + first.position();
            if (!settings.allowUnverified()) {
                LOG.errorf("refusing to serve: the record fails verification (%s); see ops/tallyman verify,"
                        + " or set TALLYMAN_ALLOW_UNVERIFIED=1 to serve from it anyway", summary);
                throw new IllegalStateException("refusing to serve: the record fails verification (" + summary + ")");
            }
            for (int i = 0; i < 3; i++) {
                // three lines: one is easy to miss in a busy log
                LOG.warnf("SERVING FROM A RECORD THAT FAILS VERIFICATION (%s) because TALLYMAN_ALLOW_UNVERIFIED is set",
                        summary);
            }
        }

        long head = store.lastPosition();
        long lastSigned = Math.max(file.lastPosition(),
                table.all().stream().mapToLong(c -> c.position()).max().orElse(0));
        checkpointer = new Checkpointer(key, file, table, clock, settings.everyEvents(), lastSigned, head,
                head == 0 ? null : store.hashAt(head).orElse(null));
        checkpointer.start(store, settings.every());
    }

    public EvidenceVerifier verifier() {
        return verifier;
    }

    public JdbcCheckpointStore table() {
        return table;
    }

    /** Where a relay (Kafka) takes each checkpoint from, once it is in the file and the table. */
    public Checkpointer checkpointer() {
        return checkpointer;
    }

    /** Signs what was written since the last checkpoint, then stops. The store must still be open. */
    @Override
    public void close() {
        if (checkpointer != null) {
            checkpointer.close();
        }
    }
}
