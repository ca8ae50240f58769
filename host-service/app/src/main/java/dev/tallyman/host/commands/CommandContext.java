package dev.tallyman.host.commands;

import dev.tallyman.audit.store.Actor;
import java.util.UUID;

/** Who asks, and the id that ties together every event one API request causes. */
public record CommandContext(Actor actor, UUID correlationId) {

    /** Tallyman acting on its own: a container died, boot reconciliation, --rm after exit. */
    public static CommandContext system(String component) {
        return new CommandContext(Actor.system(component), UUID.randomUUID());
    }
}
