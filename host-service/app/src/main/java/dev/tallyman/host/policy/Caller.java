package dev.tallyman.host.policy;

import dev.tallyman.audit.store.Actor;
import java.util.Set;

/**
 * The actor of a request with the groups its process holds (primary and supplementary gids as of the call),
 * which access rules naming groups need and the record does not.
 */
public record Caller(Actor actor, Set<Integer> gids) {
    public Caller {
        gids = Set.copyOf(gids);
    }
}
