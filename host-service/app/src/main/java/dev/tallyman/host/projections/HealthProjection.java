package dev.tallyman.host.projections;

import dev.tallyman.audit.event.ContainerEvent;
import dev.tallyman.audit.event.ContainerEvent.ContainerCreateRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerHealthChanged;
import dev.tallyman.audit.event.ContainerEvent.ContainerRemoved;
import dev.tallyman.audit.event.ContainerEvent.ContainerStarted;
import dev.tallyman.audit.event.HealthConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Each checked container's health as Docker's State.Health shows it, folded from the record: a start begins at
 * "starting" with no failures; each recorded probe result moves status and failing streak. The log holds the
 * last five recorded probes (Docker keeps the last five of all probes; probes that changed nothing are not on the
 * record), so after a restart of the service the status and streak are exactly what they were.
 */
public final class HealthProjection {
    private static final int LOG_SIZE = 5;

    /** One probe as State.Health.Log shows it. */
    public record Probe(Instant start, Instant end, int exitCode, String output) {
    }

    /** State.Health. */
    public record Health(String status, int failingStreak, List<Probe> log) {
        public Health {
            log = List.copyOf(log);
        }
    }

    private final Map<String, HealthConfig> configs = new HashMap<>();
    private final Map<String, Health> states = new HashMap<>();

    void apply(ContainerEvent event) {
        String id = event.containerId();
        if (event instanceof ContainerCreateRequested e) {
            HealthConfig config = e.spec().normalized().options().health();
            if (config != null && config.probes()) {
                configs.put(id, config);
            }
        } else if (event instanceof ContainerStarted && configs.containsKey(id)) {
            states.put(id, new Health("starting", 0, List.of()));
        } else if (event instanceof ContainerHealthChanged e) {
            Health before = states.getOrDefault(id, new Health("starting", 0, List.of()));
            List<Probe> log = new ArrayList<>(before.log());
            log.add(new Probe(e.probeStart(), e.probeEnd(), e.exitCode(), e.output()));
            while (log.size() > LOG_SIZE) {
                log.remove(0);
            }
            states.put(id, new Health(e.status(), e.failingStreak(), log));
        } else if (event instanceof ContainerRemoved) {
            configs.remove(id);
            states.remove(id);
        }
    }

    /** The container's health; empty when it has no check or never started. */
    public Optional<Health> of(String containerId) {
        return Optional.ofNullable(states.get(containerId));
    }
}
