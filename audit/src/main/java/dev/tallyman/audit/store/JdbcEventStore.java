package dev.tallyman.audit.store;

import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.EventCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The event store on PostgreSQL: the {@code events} table of {@code db/migration/V1__events.sql}.
 *
 * <p>Appends go through one writer thread that commits whatever has queued up in one transaction (see
 * {@link EventWriter}); {@link #append} blocks until its own events are committed or refused. Reads go
 * straight to the database. After each commit the store signals {@link #commits()}, which {@link EventTail}
 * waits on.
 *
 * <p>Close the store to stop the writer: appends already queued are written first.
 */
public final class JdbcEventStore implements EventStore, AutoCloseable {
    private static final String COLUMNS = "position, stream_id, version, type, payload, actor_kind, actor_uid,"
            + " actor_pid, actor_user_name, actor_tls_subject, correlation_id, occurred_at, previous_hash, hash, actor_login_uid";
    private static final int VERIFY_PAGE = 1000;
    // Rows per round trip of a replay's cursor: large enough that the database streams, small enough that a
    // page of wide rows stays a few megabytes.
    private static final int REPLAY_FETCH = 4000;
    // Rows handed from a replay's reader thread to the folding thread at a time.
    private static final int REPLAY_PAGE = 500;

    private final DataSource dataSource;
    private final EventCodec codec;
    private final CommitSignal commits = new CommitSignal();
    private final EventWriter writer;

    public JdbcEventStore(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.codec = new EventCodec();
        this.writer = new EventWriter(dataSource, Objects.requireNonNull(clock, "clock"), commits, this::committed);
    }

    /** The version of the newest script in {@code db/migration} (MigrationVersionTest keeps the two equal). */
    static final String NEWEST_MIGRATION = "6";

    /** Creates or upgrades the {@code events} table in the connection's current schema (Flyway, {@code classpath:db/migration}). */
    public static void migrate(DataSource dataSource) {
        if (alreadyAtNewest(dataSource)) {
            return;
        }
        Flyway.configure(JdbcEventStore.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /**
     * Whether the schema's last successful migration is the newest there is. Then nothing needs Flyway, whose
     * start alone (its classes, its scan of the scripts, its checks) was a quarter of the service's time to its
     * first answer. What is given up is Flyway's check, at each start, that applied scripts were not edited since;
     * the events themselves are guarded by their hash chain.
     */
    private static boolean alreadyAtNewest(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("select version from flyway_schema_history"
                     + " where success order by installed_rank desc limit 1")) {
            return rows.next() && NEWEST_MIGRATION.equals(rows.getString(1));
        } catch (SQLException e) {
            return false; // no history yet: a new schema, which Flyway makes
        }
    }

    private final List<Consumer<List<RecordedEvent>>> commitListeners = new CopyOnWriteArrayList<>();

    @Override
    public void onCommit(Consumer<List<RecordedEvent>> listener) {
        commitListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void committed(List<RecordedEvent> events) {
        for (Consumer<List<RecordedEvent>> listener : commitListeners) {
            listener.accept(events);
        }
    }

    private volatile WriteObserver observer = WriteObserver.NONE;

    /** Reports append latencies and batch sizes to {@code observer} from now on (metrics). */
    public void observeWith(WriteObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        writer.observeWith(observer);
    }

    /** Signalled after every commit of this store, with the last position committed. */
    public CommitSignal commits() {
        return commits;
    }

    public EventCodec codec() {
        return codec;
    }

    @Override
    public List<RecordedEvent> append(StreamId stream, ExpectedVersion expected, List<? extends Event> events,
                                      Actor actor, UUID correlationId) {
        CompletableFuture<List<RecordedEvent>> result = appendAsync(stream, expected, events, actor, correlationId);
        try {
            return awaitCommit(stream, result);
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                // rethrown as is so callers can catch WrongExpectedVersionException; the writer thread's stack adds nothing
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Waits for an append's commit. An append still queued after {@link #APPEND_PATIENCE_MILLIS} is taken back
     * and refused as unavailable: the caller is answered in time and knows nothing was written. One the writer
     * has started on is waited for (the JDBC socket timeout bounds it), since only its end tells what happened;
     * an interrupt must not hide its outcome either.
     */
    private List<RecordedEvent> awaitCommit(StreamId stream, CompletableFuture<List<RecordedEvent>> result) {
        try {
            return result.get(APPEND_PATIENCE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            if (writer.withdraw(result)) {
                throw new EventStoreUnavailableException("no commit within " + APPEND_PATIENCE_MILLIS + " ms", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CompletionException(e.getCause());
        }
        return result.join();
    }

    /** How long an append may wait in the writer's queue: callers answer within 5 s even behind a stalled batch. */
    static final long APPEND_PATIENCE_MILLIS = 4000;

    /** A read's failure: unavailable when the database is away (a 503 for the caller), else the driver's words. */
    private static EventStoreException failure(String operation, SQLException e) {
        return OutageReason.of(e).<EventStoreException>map(reason -> new EventStoreUnavailableException(reason, e))
                .orElseGet(() -> new EventStoreException(operation + ": " + e.getMessage(), e));
    }

    /** Whether the database answers, as the writer last saw it. */
    public StoreAvailability availability() {
        return writer.availability();
    }

    private final java.util.concurrent.ExecutorService probes = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tallyman-store-probe");
        t.setDaemon(true);
        return t;
    });

    /**
     * Asks the database for {@code select 1} within {@code limit}, so a health check sees an outage even while
     * nothing is written; a failure marks the store DOWN until the writer's own probe finds it back.
     */
    public StoreAvailability probe(java.time.Duration limit) {
        StoreAvailability now = availability();
        if (!now.up()) {
            return now;
        }
        java.util.concurrent.Future<?> check = probes.submit(() -> {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("select 1");
            }
            return null;
        });
        try {
            check.get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            check.cancel(true);
            writer.down("PostgreSQL did not answer in time");
        } catch (java.util.concurrent.ExecutionException e) {
            OutageReason.of(e.getCause()).ifPresent(writer::down);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return availability();
    }

    @Override
    public CompletableFuture<List<RecordedEvent>> appendAsync(StreamId stream, ExpectedVersion expected,
                                                              List<? extends Event> events, Actor actor,
                                                              UUID correlationId) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(expected, "expected version");
        Objects.requireNonNull(correlationId, "correlation id");
        checkActor(stream, actor);
        if (events == null || events.isEmpty()) {
            throw new IllegalArgumentException("append to stream " + stream + ": no events");
        }
        List<Event> copy = new ArrayList<>(events.size());
        List<String> types = new ArrayList<>(events.size());
        List<String> payloads = new ArrayList<>(events.size());
        for (Event event : events) {
            if (event == null) {
                throw new IllegalArgumentException("append to stream " + stream + ": null event");
            }
            copy.add(event);
            types.add(codec.typeName(event));
            payloads.add(codec.encode(event));
        }
        CompletableFuture<List<RecordedEvent>> result = new CompletableFuture<>();
        WriteObserver watching = observer;
        if (watching != WriteObserver.NONE) {
            long began = System.nanoTime();
            int count = copy.size();
            result.whenComplete((written, failure) -> watching.appended(System.nanoTime() - began, count, failure != null));
        }
        writer.submit(new PendingAppend(stream, expected, copy, types, payloads, actor, correlationId, result));
        return result;
    }

    private static void checkActor(StreamId stream, Actor actor) {
        if (actor == null || actor.kind() == null || actor.userName() == null || actor.tlsSubject() == null) {
            throw new IllegalArgumentException("append to stream " + stream + ": incomplete actor " + actor);
        }
    }

    @Override
    public List<RecordedEvent> readStream(StreamId stream) {
        return query("read stream " + stream,
                "select " + COLUMNS + " from events where stream_id = ? order by version",
                ps -> ps.setString(1, stream.value()));
    }

    @Override
    public List<RecordedEvent> readStreamTail(StreamId stream, int count) {
        checkLimit(count);
        List<RecordedEvent> newestFirst = query("read the tail of stream " + stream,
                "select " + COLUMNS + " from events where stream_id = ? order by version desc limit ?",
                ps -> {
                    ps.setString(1, stream.value());
                    ps.setInt(2, count);
                });
        List<RecordedEvent> inOrder = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(inOrder);
        return inOrder;
    }

    @Override
    public List<RecordedEvent> readAll(long afterPosition, int limit) {
        checkLimit(limit);
        return query("read events after " + afterPosition,
                "select " + COLUMNS + " from events where position > ? order by position limit ?",
                ps -> {
                    ps.setLong(1, afterPosition);
                    ps.setInt(2, limit);
                });
    }

    /**
     * One query read through a cursor ({@code setFetchSize} works in pgjdbc only inside a transaction), so a
     * rebuild of a million events is one statement and a few hundred round trips, not a thousand queries.
     *
     * <p>A reader thread fetches and unpacks the rows while the calling thread decodes the payloads and folds:
     * pgjdbc fetches the next page only when the last one is used up, so on one thread the database would sit
     * idle while Java decodes and the other way round. A few pages are queued between the two, no more.
     */
    @Override
    public long replay(long afterPosition, Consumer<RecordedEvent> fold) {
        ReplayReader reader = new ReplayReader(afterPosition);
        Thread thread = new Thread(reader, "tallyman-replay-reader");
        thread.setDaemon(true);
        thread.start();
        long last = afterPosition;
        try {
            while (true) {
                ReplayPage page = reader.pages.take();
                if (page.failure() != null) {
                    throw new EventStoreException("replay events after " + last + ": " + page.failure().getMessage(),
                            page.failure());
                }
                if (page.rows() == null) {
                    return last;
                }
                for (StoredRow row : page.rows()) {
                    fold.accept(decode(row));
                    last = row.position();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventStoreException("replay events after " + last + ": interrupted", e);
        } finally {
            reader.cancelled = true;
            thread.interrupt();
        }
    }

    /** Rows of one fetch, or the end of the replay ({@code rows} null), or what stopped the reader. */
    private record ReplayPage(List<StoredRow> rows, Exception failure) {
    }

    private final class ReplayReader implements Runnable {
        private final long afterPosition;
        final java.util.concurrent.BlockingQueue<ReplayPage> pages = new java.util.concurrent.ArrayBlockingQueue<>(4);
        volatile boolean cancelled;

        ReplayReader(long afterPosition) {
            this.afterPosition = afterPosition;
        }

        @Override
        public void run() {
            try (Connection c = dataSource.getConnection()) {
                boolean autoCommit = c.getAutoCommit();
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(
                        "select " + COLUMNS + " from events where position > ? order by position")) {
                    ps.setFetchSize(REPLAY_FETCH);
                    ps.setLong(1, afterPosition);
                    try (ResultSet rs = ps.executeQuery()) {
                        List<StoredRow> rows = new ArrayList<>(REPLAY_PAGE);
                        while (rs.next()) {
                            rows.add(StoredRow.read(rs));
                            if (rows.size() == REPLAY_PAGE) {
                                if (!hand(new ReplayPage(rows, null))) {
                                    return;
                                }
                                rows = new ArrayList<>(REPLAY_PAGE);
                            }
                        }
                        if (!rows.isEmpty() && !hand(new ReplayPage(rows, null))) {
                            return;
                        }
                    }
                } finally {
                    c.rollback();
                    c.setAutoCommit(autoCommit);
                }
                hand(new ReplayPage(null, null));
            } catch (SQLException | RuntimeException e) {
                hand(new ReplayPage(null, e));
            }
        }

        /** @return false when the replay was given up (the folding side failed or was interrupted) */
        private boolean hand(ReplayPage page) {
            try {
                while (!cancelled) {
                    if (pages.offer(page, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                }
            } catch (InterruptedException e) {
                // the replay was given up
            }
            return false;
        }
    }

    @Override
    public List<RecordedEvent> readBetween(Instant since, Instant until, int limit) {
        checkLimit(limit);
        return query("read events between " + since + " and " + until,
                "select " + COLUMNS + " from events where occurred_at >= ? and occurred_at < ?"
                        + " order by position limit ?",
                ps -> {
                    ps.setObject(1, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
                    ps.setObject(2, OffsetDateTime.ofInstant(until, ZoneOffset.UTC));
                    ps.setInt(3, limit);
                });
    }

    @Override
    public Optional<String> hashAt(long position) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select hash from events where position = ?")) {
            ps.setLong(1, position);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("read the hash of event " + position, e);
        }
    }

    @Override
    public long lastPosition() {
        try (Connection c = dataSource.getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select coalesce(max(position), 0) from events")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw failure("read last position", e);
        }
    }

    /**
     * Walks every event in position order and checks, for each: that no position is missing (a gap means a
     * deleted event), that its hash matches its stored columns (else its contents were changed), and that its
     * previous hash is the hash of the event before it. Deleting the newest events leaves no gap and no broken
     * link, so it cannot be seen from the table alone; compare {@link #lastPosition()} with a copy kept elsewhere.
     */
    @Override
    public ChainVerification verify() {
        long checked = 0;
        long expectedPosition = 1;
        String previousHash = EventHash.GENESIS;
        try (Connection c = dataSource.getConnection();
             PreparedStatement page = c.prepareStatement(
                     "select " + COLUMNS + " from events where position > ? order by position limit " + VERIFY_PAGE)) {
            while (true) {
                page.setLong(1, expectedPosition - 1);
                int rows = 0;
                try (ResultSet rs = page.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        checked++;
                        long position = rs.getLong(1);
                        if (position != expectedPosition) {
                            return broken(checked, expectedPosition, "event " + expectedPosition
                                    + " is missing (deleted): positions jump from " + (expectedPosition - 1)
                                    + " to " + position);
                        }
                        StoredRow row;
                        try {
                            row = StoredRow.read(rs);
                        } catch (IllegalArgumentException e) {
                            // a stream id or actor kind no append could have written
                            return broken(checked, position, "contents unreadable: " + e.getMessage());
                        }
                        if (!row.hashHolds()) {
                            return broken(checked, row.position(), "hash does not match contents");
                        }
                        if (!row.previousHash().equals(previousHash)) {
                            return broken(checked, row.position(), expectedPosition == 1
                                    ? "previous hash of the first event is not " + EventHash.GENESIS
                                    : "previous hash does not match event " + (expectedPosition - 1));
                        }
                        previousHash = row.hash();
                        expectedPosition++;
                    }
                }
                if (rows < VERIFY_PAGE) {
                    return new ChainVerification(checked, Optional.empty(), "");
                }
            }
        } catch (SQLException e) {
            throw failure("verify events", e);
        }
    }

    private static ChainVerification broken(long checked, long position, String problem) {
        return new ChainVerification(checked, Optional.of(position), problem);
    }

    /** Stops the writer after it has written what is queued; later appends fail. */
    @Override
    public void close() {
        probes.shutdownNow();
        writer.close();
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<RecordedEvent> query(String operation, String sql, Binder binder) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<RecordedEvent> events = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(decode(StoredRow.read(rs)));
                }
            }
            return events;
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    private RecordedEvent decode(StoredRow row) {
        Event event;
        try {
            event = codec.decode(row.type(), row.payload());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("read event " + row.position() + " in stream " + row.stream() + ": "
                    + e.getMessage(), e);
        }
        return new RecordedEvent(row.position(), row.stream(), row.version(), row.type(), event, row.actor(),
                row.correlationId(), row.occurredAt(), row.previousHash(), row.hash(), row.payload());
    }

    private static void checkLimit(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("read events: limit must be positive, got " + limit);
        }
    }

    /** One row of {@code events} as stored, payload still text: what the hash was computed over. */
    private record StoredRow(long position, StreamId stream, long version, String type, String payload, Actor actor,
                             UUID correlationId, Instant occurredAt, String previousHash, String hash) {

        static StoredRow read(ResultSet rs) throws SQLException {
            // by index, in the order of COLUMNS: a lookup by name per column per row shows in a replay's profile
            Actor actor = new Actor(Actor.Kind.valueOf(rs.getString(6)), rs.getInt(7), rs.getInt(8),
                    rs.getString(9), rs.getString(10), rs.getInt(15));
            return new StoredRow(rs.getLong(1), new StreamId(rs.getString(2)), rs.getLong(3), rs.getString(4),
                    rs.getString(5), actor, rs.getObject(11, UUID.class),
                    rs.getObject(12, OffsetDateTime.class).toInstant(), rs.getString(13), rs.getString(14));
        }

        boolean hashHolds() {
            return EventHash.of(previousHash, position, stream, version, type, payload, actor, correlationId,
                    occurredAt).equals(hash);
        }
    }
}
