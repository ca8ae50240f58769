package dev.tallyman.host.audit.query;

import dev.tallyman.audit.snapshot.JdbcSnapshotStore;
import dev.tallyman.audit.store.CommitSignal;
import dev.tallyman.audit.store.EventStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.function.Function;

/**
 * The parts of the record the audit API needs beyond its own queries: the store and its commit signal (to follow)
 * and the snapshots (to start time travel near the instant asked for). The Engine builds them by hand and hands
 * them over here before the socket takes its first request.
 */
@ApplicationScoped
public class AuditRecord {
    private volatile EventStore store;
    private volatile CommitSignal commits;
    private volatile JdbcSnapshotStore snapshots;
    private volatile Function<String, Map<String, String>> imageLabels;

    public void wire(EventStore store, CommitSignal commits, JdbcSnapshotStore snapshots,
                     Function<String, Map<String, String>> imageLabels) {
        this.store = store;
        this.commits = commits;
        this.snapshots = snapshots;
        this.imageLabels = imageLabels;
    }

    /** An image's labels, from its config in the content store (gone with a removed image: then it throws). */
    public Function<String, Map<String, String>> imageLabels() {
        return imageLabels;
    }

    public EventStore store() {
        return store;
    }

    public CommitSignal commits() {
        return commits;
    }

    public JdbcSnapshotStore snapshots() {
        return snapshots;
    }
}
