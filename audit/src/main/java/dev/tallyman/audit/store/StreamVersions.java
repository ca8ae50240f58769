package dev.tallyman.audit.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The writer's memory of the last version of the streams it wrote, so a batch need not ask the database for
 * them. The memory is trusted only while the store's head is the position this writer committed last: a
 * writer in another process (several services may share one store) moves the head, and then every version is
 * read again. Only the writer thread touches it.
 */
final class StreamVersions {
    // A bound, not a cache policy: past it the memory starts over and versions are read from the table again.
    private static final int MAX_STREAMS = 100_000;

    private final Map<StreamId, Long> known = new HashMap<>();
    private long head = -1;

    /** The current version of each stream of the batch (absent: no such stream), as of {@code storeHead}. */
    Map<StreamId, Long> current(Connection c, long storeHead, List<PendingAppend> batch) throws SQLException {
        if (storeHead != head) {
            known.clear();
        }
        Map<StreamId, Long> versions = new HashMap<>();
        LinkedHashSet<String> unknown = new LinkedHashSet<>();
        for (PendingAppend append : batch) {
            Long version = known.get(append.stream());
            if (version != null) {
                versions.put(append.stream(), version);
            } else {
                unknown.add(append.stream().value());
            }
        }
        if (!unknown.isEmpty()) {
            try (PreparedStatement query = c.prepareStatement(
                    "select stream_id, max(version) from events where stream_id = any(?) group by stream_id")) {
                query.setArray(1, c.createArrayOf("text", unknown.toArray()));
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        versions.put(new StreamId(rs.getString(1)), rs.getLong(2));
                    }
                }
            }
        }
        return versions;
    }

    /** After a commit that left the store's head at {@code storeHead}: the batch's streams stand at these versions. */
    void committed(long storeHead, Map<StreamId, Long> versions) {
        if (known.size() + versions.size() > MAX_STREAMS) {
            known.clear();
        }
        known.putAll(versions);
        head = storeHead;
    }

    /** After a failed batch nothing remembered can be trusted. */
    void forget() {
        known.clear();
        head = -1;
    }
}
