package dev.tallyman.audit.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The one thread that writes events. Callers queue their appends; the writer takes whatever has queued up
 * and commits it in one transaction (group commit), so many callers share one fsync.
 *
 * <p>Positions are assigned here, not by a sequence. A sequence value is taken before commit, so with two
 * writers event 7 could become visible before event 6 and a reader tailing by position would skip 6 for good.
 * Inside the transaction the writer first takes a transaction-scoped advisory lock keyed by the events table's
 * oid (readers are not blocked; any other writer, in this process or another, waits until commit), then reads the
 * last position and hash. So position order is commit order and the hash chain is one line. Not LOCK TABLE: its
 * exclusive modes need UPDATE, DELETE or TRUNCATE on the table, which the service role must not have (issue 12);
 * the oid keeps each schema's lock its own.
 *
 * <p>Each caller's expected version is checked against the stream as it stands at that moment in the batch;
 * a clash fails only that caller. A database failure fails every caller in the batch, and the writer opens a
 * fresh connection for the next one.
 *
 * <p>When the failure is an outage (PostgreSQL stopped, stalled past the socket timeout, a lock or statement
 * timeout: see {@link OutageReason}), the store is DOWN: appends queued and appends submitted meanwhile are
 * refused at once with {@link EventStoreUnavailableException}, so no caller waits behind a database that does
 * not answer, and the writer probes the database every second until it answers, then takes appends again.
 * Nothing of a refused append is written: it failed before its transaction, or its transaction rolled back.
 */
final class EventWriter {
    private static final System.Logger LOG = System.getLogger(EventWriter.class.getName());
    private static final int MAX_APPENDS_PER_BATCH = 256;
    private static final long GATHER_NANOS = TimeUnit.MICROSECONDS.toNanos(300);
    private static final String INSERT = "insert into events (position, stream_id, version, type, payload,"
            + " actor_kind, actor_uid, actor_pid, actor_user_name, actor_tls_subject, correlation_id, occurred_at,"
            + " previous_hash, hash, actor_login_uid) values (?, ?, ?, ?, cast(? as json), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final DataSource dataSource;
    private final Clock clock;
    private final CommitSignal commits;
    private final BlockingQueue<PendingAppend> queue = new LinkedBlockingQueue<>();
    private final Consumer<List<RecordedEvent>> onCommit;
    private final Thread thread;
    private volatile boolean stopping;
    // only touched by the writer thread
    private Connection connection;
    private final StreamVersions versions = new StreamVersions();
    private int lastBatchSize;
    private volatile WriteObserver observer = WriteObserver.NONE;
    private volatile StoreAvailability availability;
    // when the held connection last answered; one idle for longer is checked before use (a restarted server)
    private long lastAnswerNanos = System.nanoTime();
    private static final long CHECK_IDLE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long PROBE_EVERY_MILLIS = 1000;
    private static final int NETWORK_TIMEOUT_MILLIS = 3000;

    /**
     * @param onCommit runs on the writer thread after each commit with the batch's events in position order,
     *                 before any caller of the batch is answered, so what it folds is never out of order
     */
    EventWriter(DataSource dataSource, Clock clock, CommitSignal commits, Consumer<List<RecordedEvent>> onCommit) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.commits = commits;
        this.onCommit = onCommit;
        this.availability = StoreAvailability.up(clock.instant());
        this.thread = new Thread(this::run, "tallyman-event-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void observeWith(WriteObserver observer) {
        this.observer = observer;
    }

    /** Queues an append; the future completes after its transaction commits or fails. */
    void submit(PendingAppend append) {
        if (stopping) {
            throw new IllegalStateException("append to stream " + append.stream() + ": event store closed");
        }
        StoreAvailability now = availability;
        if (!now.up()) {
            append.result().completeExceptionally(new EventStoreUnavailableException(now.reason(), null));
            return;
        }
        queue.add(append);
        // close() may have drained the queue between the check above and the add
        if (stopping && queue.remove(append)) {
            throw new IllegalStateException("append to stream " + append.stream() + ": event store closed");
        }
    }

    StoreAvailability availability() {
        return availability;
    }

    /**
     * Takes an append back if the writer has not started on it: a caller that waited too long can then say for
     * sure that nothing of it was written.
     */
    boolean withdraw(java.util.concurrent.CompletableFuture<?> result) {
        return queue.removeIf(append -> append.result() == result);
    }

    /** Marks the store DOWN (a health probe found the database away); the writer probes until it answers. */
    void down(String reason) {
        if (availability.up()) {
            availability = StoreAvailability.down(reason, clock.instant());
            LOG.log(System.Logger.Level.WARNING, "event store down: " + reason);
        }
    }

    private void up() {
        StoreAvailability was = availability;
        if (!was.up()) {
            availability = StoreAvailability.up(clock.instant());
            LOG.log(System.Logger.Level.INFO, "event store up again after "
                    + java.time.Duration.between(was.since(), clock.instant()).toMillis() + " ms down (" + was.reason() + ")");
        }
    }

    /** Refuses every queued append: the store is down. */
    private void refuseQueued() {
        List<PendingAppend> left = new ArrayList<>();
        queue.drainTo(left);
        String reason = availability.reason();
        for (PendingAppend append : left) {
            append.result().completeExceptionally(new EventStoreUnavailableException(reason, null));
        }
    }

    /** One probe, a second after the last: a fresh connection that answers {@code select 1} brings the store up. */
    private void probe() {
        try {
            Thread.sleep(PROBE_EVERY_MILLIS);
        } catch (InterruptedException e) {
            return;
        }
        if (stopping) {
            return;
        }
        closeConnection();
        try {
            Connection c = connection();
            try (Statement s = c.createStatement()) {
                s.execute("select 1");
            }
            c.rollback();
            lastAnswerNanos = System.nanoTime();
            versions.forget();
            up();
        } catch (SQLException | RuntimeException e) {
            closeConnection();
        }
    }

    /** Writes what is already queued, then stops the thread. */
    void close() {
        stopping = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<PendingAppend> left = new ArrayList<>();
        queue.drainTo(left);
        for (PendingAppend append : left) {
            append.result().completeExceptionally(
                    new IllegalStateException("append to stream " + append.stream() + ": event store closed"));
        }
        closeConnection();
    }

    private void run() {
        while (!stopping || !queue.isEmpty()) {
            if (!availability.up()) {
                refuseQueued();
                if (!stopping) {
                    probe();
                }
                continue;
            }
            PendingAppend first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            if (first == null) {
                continue;
            }
            List<PendingAppend> batch = new ArrayList<>();
            batch.add(first);
            queue.drainTo(batch, MAX_APPENDS_PER_BATCH - 1);
            gather(batch);
            lastBatchSize = batch.size();
            write(batch);
        }
    }

    /**
     * The callers the last commit answered are likely to append again within microseconds; a commit costs an
     * fsync either way, so waiting a moment for them to join this batch is cheaper than leaving them for the next.
     * Only waits when the last batch was bigger, so a lone caller never waits.
     */
    private void gather(List<PendingAppend> batch) {
        long until = System.nanoTime() + GATHER_NANOS;
        while (batch.size() < lastBatchSize && batch.size() < MAX_APPENDS_PER_BATCH) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                PendingAppend next = queue.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) {
                    return;
                }
                batch.add(next);
                queue.drainTo(batch, MAX_APPENDS_PER_BATCH - batch.size());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void write(List<PendingAppend> batch) {
        Map<PendingAppend, List<RecordedEvent>> written = new HashMap<>();
        Map<PendingAppend, RuntimeException> refused = new HashMap<>();
        long last;
        long began = System.nanoTime();
        try {
            last = commitBatch(batch, written, refused);
        } catch (SQLException | RuntimeException e) {
            rollbackAndDropConnection();
            versions.forget();
            String cause = e.getMessage();
            java.util.Optional<String> outage = OutageReason.of(e);
            outage.ifPresent(this::down);
            for (PendingAppend append : batch) {
                RuntimeException refusal = refused.get(append);
                append.result().completeExceptionally(refusal != null ? refusal
                        : outage.isPresent() ? new EventStoreUnavailableException(outage.get(), e)
                        : new EventStoreException("append to stream " + append.stream() + ": " + cause, e));
            }
            return;
        }
        commits.committed(last);
        List<RecordedEvent> inOrder = new ArrayList<>();
        for (PendingAppend append : batch) {
            inOrder.addAll(written.getOrDefault(append, List.of()));
        }
        observer.batchCommitted(batch.size(), inOrder.size(), System.nanoTime() - began);
        if (!inOrder.isEmpty()) {
            try {
                onCommit.accept(inOrder);
            } catch (RuntimeException e) {
                // The events are committed: a failing listener must not turn them into failed appends.
                LOG.log(System.Logger.Level.ERROR, "fold committed events " + inOrder.get(0).position() + ".."
                        + last + ": " + e.getMessage(), e);
            }
        }
        for (PendingAppend append : batch) {
            RuntimeException refusal = refused.get(append);
            if (refusal != null) {
                append.result().completeExceptionally(refusal);
            } else {
                append.result().complete(written.get(append));
            }
        }
    }

    /** @return the position of the last event now in the store */
    private long commitBatch(List<PendingAppend> batch, Map<PendingAppend, List<RecordedEvent>> written,
                             Map<PendingAppend, RuntimeException> refused) throws SQLException {
        Connection c = connection();
        long position = 0;
        String previousHash = EventHash.GENESIS;
        // One round trip for both: the lock makes every other writer wait until commit, the head read after it
        // is then final for this transaction.
        try (Statement head = c.createStatement()) {
            head.execute("select pg_advisory_xact_lock('events'::regclass::oid::bigint);"
                    + " select position, hash from events order by position desc limit 1");
            head.getMoreResults();
            try (ResultSet rs = head.getResultSet()) {
                if (rs.next()) {
                    position = rs.getLong(1);
                    previousHash = rs.getString(2);
                }
            }
        }
        Map<StreamId, Long> versions = this.versions.current(c, position, batch);
        boolean any = false;
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (PendingAppend append : batch) {
                Long current = versions.get(append.stream());
                if (!append.expects(current)) {
                    refused.put(append, new WrongExpectedVersionException(
                            append.stream(), append.expected(), Optional.ofNullable(current)));
                    continue;
                }
                Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
                List<RecordedEvent> recorded = new ArrayList<>();
                long version = current == null ? -1 : current;
                for (int i = 0; i < append.events().size(); i++) {
                    position++;
                    version++;
                    String type = append.types().get(i);
                    String payload = append.payloads().get(i);
                    String hash = EventHash.of(previousHash, position, append.stream(), version, type, payload,
                            append.actor(), append.correlationId(), now);
                    bind(insert, position, append, version, type, payload, now, previousHash, hash);
                    insert.addBatch();
                    recorded.add(new RecordedEvent(position, append.stream(), version, type, append.events().get(i),
                            append.actor(), append.correlationId(), now, previousHash, hash, payload));
                    previousHash = hash;
                    any = true;
                }
                versions.put(append.stream(), version);
                written.put(append, List.copyOf(recorded));
            }
            if (any) {
                insert.executeBatch();
            }
        }
        c.commit();
        lastAnswerNanos = System.nanoTime();
        this.versions.committed(position, versions);
        return position;
    }

    private static void bind(PreparedStatement insert, long position, PendingAppend append, long version, String type,
                             String payload, Instant occurredAt, String previousHash, String hash) throws SQLException {
        Actor actor = append.actor();
        insert.setLong(1, position);
        insert.setString(2, append.stream().value());
        insert.setLong(3, version);
        insert.setString(4, type);
        insert.setString(5, payload);
        insert.setString(6, actor.kind().name());
        insert.setInt(7, actor.uid());
        insert.setInt(8, actor.pid());
        insert.setString(9, actor.userName());
        insert.setString(10, actor.tlsSubject());
        insert.setObject(11, append.correlationId());
        insert.setObject(12, OffsetDateTime.ofInstant(occurredAt, ZoneOffset.UTC));
        insert.setString(13, previousHash);
        insert.setString(14, hash);
        insert.setInt(15, actor.loginUid());
    }

    // One connection held for the writer's life: a pool round trip per batch buys nothing for a single writer.
    private Connection connection() throws SQLException {
        // A connection idle for a while may be to a server that restarted since: check it rather than fail the
        // next caller. A stalled server fails the check within a second and the batch goes on to a fresh one,
        // whose wait the pool's acquisition timeout bounds.
        if (connection != null && System.nanoTime() - lastAnswerNanos > CHECK_IDLE_AFTER_NANOS) {
            long began = System.nanoTime();
            if (connection.isValid(1)) {
                lastAnswerNanos = System.nanoTime();
            } else {
                closeConnection();
                if (System.nanoTime() - began > TimeUnit.MILLISECONDS.toNanos(500)) {
                    // no answer rather than a closed socket: the server is stalled, a fresh connection would stall too
                    throw new SQLException("no answer to a connection check within 1 s", "08006");
                }
            }
        }
        if (connection == null) {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(false);
            // Every statement of a batch is short: no answer within this means the server is stalled, and the
            // batch's callers must be told within 5 s. (pgjdbc ignores the executor.)
            c.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MILLIS);
            connection = c;
        }
        return connection;
    }

    private void rollbackAndDropConnection() {
        if (connection != null) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is being thrown away; the server rolls back when it goes
            }
            closeConnection();
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing left to do with a connection that will not close
            }
            connection = null;
        }
    }
}
