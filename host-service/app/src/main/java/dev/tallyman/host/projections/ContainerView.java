package dev.tallyman.host.projections;

import dev.tallyman.audit.event.ContainerSpec;
import java.time.Instant;
import java.util.Optional;

/**
 * One container as folded from its events. Immutable: each event yields a new view.
 *
 * @param version the version of the container stream's last event, for the next append's expected version
 * @param pendingIntent the type of an intent that has no outcome yet, or "" (reconciliation looks at it)
 */
public record ContainerView(
        String id,
        String name,
        ContainerSpec spec,
        Instant created,
        ContainerState state,
        long pid,
        int exitCode,
        String error,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt,
        boolean oomKilled,
        int restartCount,
        long version,
        String pendingIntent) {

    public ContainerView withState(ContainerState next, long nextVersion) {
        return new ContainerView(id, name, spec, created, next, pid, exitCode, error, startedAt, finishedAt,
                oomKilled, restartCount, nextVersion, pendingIntent);
    }

    public ContainerView withPending(String intent, long nextVersion) {
        return new ContainerView(id, name, spec, created, state, pid, exitCode, error, startedAt, finishedAt,
                oomKilled, restartCount, nextVersion, intent);
    }

    public boolean isRunning() {
        return state == ContainerState.RUNNING;
    }
}
