package dev.tallyman.runtime;

import java.time.Instant;

/**
 * How a container ended, as conmon recorded it.
 *
 * @param exitCode the exit code; 128 + n for a death by signal n (conmon's and Docker's rule, e.g. 137 for SIGKILL)
 * @param finishedAt when conmon wrote the exit file (its mtime, so at the file system's clock granularity)
 * @param oomKilled whether the memory cgroup reported an OOM kill while it ran
 */
public record ExitStatus(String id, int exitCode, Instant finishedAt, boolean oomKilled) {
}
