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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The one thread that writes events. Callers queue their appends; the writer takes whatever has queued up
 * and commits it in one transaction (group commit), so many callers share one fsync.
 *
 * <p>Positions are assigned here, not by a sequence. A sequence value is taken before commit, so with two
 * writers event 7 could become visible before event 6 and a reader tailing by position would skip 6 for good.
 * Inside the transaction the writer first takes {@code LOCK TABLE events IN EXCLUSIVE MODE} (readers are not
 * blocked; any other writer, in this process or another, waits until commit), then reads the last position
 * and hash. So position order is commit order and the hash chain is one line.
 *
 * <p>Each caller's expected version is checked against the stream as it stands at that moment in the batch;
 * a clash fails only that caller. A database failure fails every caller in the batch, and the writer opens a
 * fresh connection for the next one.
 */
final class EventWriter {
    private static final int MAX_APPENDS_PER_BATCH = 256;
    private static final String INSERT = "insert into events (position, stream_id, version, type, payload,"
            + " actor_kind, actor_uid, actor_pid, actor_user_name, actor_tls_subject, correlation_id, occurred_at,"
            + " previous_hash, hash) values (?, ?, ?, ?, cast(? as json), ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final DataSource dataSource;
    private final Clock clock;
    private final CommitSignal commits;
    private final BlockingQueue<PendingAppend> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean stopping;
    // only touched by the writer thread
    private Connection connection;

    EventWriter(DataSource dataSource, Clock clock, CommitSignal commits) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.commits = commits;
        this.thread = new Thread(this::run, "tallyman-event-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues an append; the future completes after its transaction commits or fails. */
    void submit(PendingAppend append) {
        if (stopping) {
            throw new IllegalStateException("append to stream " + append.stream() + ": event store closed");
        }
        queue.add(append);
        // close() may have drained the queue between the check above and the add
        if (stopping && queue.remove(append)) {
            throw new IllegalStateException("append to stream " + append.stream() + ": event store closed");
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
            write(batch);
        }
    }

    private void write(List<PendingAppend> batch) {
        Map<PendingAppend, List<RecordedEvent>> written = new HashMap<>();
        Map<PendingAppend, RuntimeException> refused = new HashMap<>();
        long last;
        try {
            last = commitBatch(batch, written, refused);
        } catch (SQLException | RuntimeException e) {
            rollbackAndDropConnection();
            String cause = e.getMessage();
            for (PendingAppend append : batch) {
                RuntimeException refusal = refused.get(append);
                append.result().completeExceptionally(refusal != null ? refusal
                        : new EventStoreException("append to stream " + append.stream() + ": " + cause, e));
            }
            return;
        }
        commits.committed(last);
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
        try (Statement lock = c.createStatement()) {
            lock.execute("lock table events in exclusive mode");
        }
        long position = 0;
        String previousHash = EventHash.GENESIS;
        try (Statement head = c.createStatement();
             ResultSet rs = head.executeQuery("select position, hash from events order by position desc limit 1")) {
            if (rs.next()) {
                position = rs.getLong(1);
                previousHash = rs.getString(2);
            }
        }
        Map<StreamId, Long> versions = currentVersions(c, batch);
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
                            append.actor(), append.correlationId(), now, previousHash, hash));
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
    }

    private static Map<StreamId, Long> currentVersions(Connection c, List<PendingAppend> batch) throws SQLException {
        LinkedHashSet<String> streams = new LinkedHashSet<>();
        for (PendingAppend append : batch) {
            streams.add(append.stream().value());
        }
        Map<StreamId, Long> versions = new HashMap<>();
        try (PreparedStatement query = c.prepareStatement(
                "select stream_id, max(version) from events where stream_id = any(?) group by stream_id")) {
            query.setArray(1, c.createArrayOf("text", streams.toArray()));
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    versions.put(new StreamId(rs.getString(1)), rs.getLong(2));
                }
            }
        }
        return versions;
    }

    // One connection held for the writer's life: a pool round trip per batch buys nothing for a single writer.
    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(false);
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
