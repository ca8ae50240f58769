package dev.tallyman.host.projections;

import dev.tallyman.audit.event.BuildEvent;
import dev.tallyman.audit.event.BuildEvent.BuildFailed;
import dev.tallyman.audit.event.BuildEvent.BuildRequested;
import dev.tallyman.audit.event.BuildEvent.BuildStepFinished;
import dev.tallyman.audit.event.BuildEvent.BuildSucceeded;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The builds that began and have not ended, with the last step each finished: what a restart must close on
 * the record (a build does not survive the service that ran it).
 */
public final class BuildProjection {
    private final Map<String, Integer> open = new LinkedHashMap<>();

    void apply(BuildEvent event) {
        if (event instanceof BuildRequested e) {
            open.put(e.buildId(), 0);
        } else if (event instanceof BuildStepFinished e) {
            open.computeIfPresent(e.buildId(), (k, v) -> e.step());
        } else if (event instanceof BuildSucceeded || event instanceof BuildFailed) {
            open.remove(event.buildId());
        } else {
            throw new IllegalStateException("no projection case for " + event.getClass().getSimpleName());
        }
    }

    /** Build id → the last step it finished (0 for none). */
    public Map<String, Integer> open() {
        return Map.copyOf(open);
    }
}
