package dev.tallyman.host.commands;

import dev.tallyman.audit.store.WrongExpectedVersionException;

/**
 * An append found its stream at another version than the command's check saw: another command changed the
 * object in between. A 409 to the caller, unless {@link Journal#optimistically} checks again.
 */
public final class VersionConflict extends EngineException {
    public VersionConflict(WrongExpectedVersionException cause) {
        super(Kind.CONFLICT, cause.getMessage(), cause);
    }
}
