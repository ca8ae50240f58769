package dev.tallyman.host.projections;

import dev.tallyman.audit.event.ContainerSpec;
import java.time.Instant;
import java.util.Optional;

/**
 * One container as folded from its events. Immutable: each event yields a new view.
 *
 * @param version the version of the container stream's last event, for the next append's expected version
 * @param pendingIntent the type of an intent that has no outcome yet, or "" (reconciliation looks at it)
 * @param manuallyStopped the user stopped or killed it since its last start (restart policies then leave it alone)
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
        String pendingIntent,
        boolean manuallyStopped) {

    public ContainerView {
        spec = spec.normalized();
    }

    public ContainerView withState(ContainerState next, long nextVersion) {
        return new ContainerView(id, name, spec, created, next, pid, exitCode, error, startedAt, finishedAt,
                oomKilled, restartCount, nextVersion, pendingIntent, manuallyStopped);
    }

    public ContainerView withPending(String intent, long nextVersion) {
        return new ContainerView(id, name, spec, created, state, pid, exitCode, error, startedAt, finishedAt,
                oomKilled, restartCount, nextVersion, intent, manuallyStopped);
    }

    public ContainerView withName(String newName, long nextVersion) {
        return new ContainerView(id, newName, spec, created, state, pid, exitCode, error, startedAt, finishedAt,
                oomKilled, restartCount, nextVersion, pendingIntent, manuallyStopped);
    }

    public ContainerView withRestart(int attempt, long nextVersion) {
        return new ContainerView(id, name, spec, created, ContainerState.RESTARTING, pid, exitCode, error, startedAt,
                finishedAt, oomKilled, attempt, nextVersion, pendingIntent, manuallyStopped);
    }

    public ContainerView withRestartCount(int count, long nextVersion) {
        return new ContainerView(id, name, spec, created, state, pid, exitCode, error, startedAt, finishedAt,
                oomKilled, count, nextVersion, pendingIntent, manuallyStopped);
    }

    public ContainerView withOomKilled(long nextVersion) {
        return new ContainerView(id, name, spec, created, state, pid, exitCode, error, startedAt, finishedAt,
                true, restartCount, nextVersion, pendingIntent, manuallyStopped);
    }

    public ContainerView withManuallyStopped(long nextVersion) {
        return new ContainerView(id, name, spec, created, state, pid, exitCode, error, startedAt, finishedAt,
                oomKilled, restartCount, nextVersion, pendingIntent, true);
    }

    /** A start was asked for: an earlier manual stop no longer holds back the restart policy. */
    public ContainerView withManualStopCleared(long nextVersion) {
        return new ContainerView(id, name, spec, created, state, pid, exitCode, error, startedAt, finishedAt,
                oomKilled, restartCount, nextVersion, pendingIntent, false);
    }

    /** Its process is alive: running, or paused (frozen but present). */
    public boolean isRunning() {
        return state == ContainerState.RUNNING || state == ContainerState.PAUSED;
    }
}
