package dev.tallyman.runtime;

import java.nio.file.Path;
import java.time.Instant;

/**
 * What runc knows of a container, as {@code runc state} reports it.
 *
 * @param pid the init process; 0 when stopped
 * @param bundle the bundle runc created it from
 * @param created when runc created it
 */
public record RuncState(String id, Status status, int pid, Path bundle, Instant created) {
    public enum Status { CREATED, RUNNING, PAUSED, STOPPED }
}
