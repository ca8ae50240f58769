package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent;
import dev.tallyman.audit.event.ContainerEvent.ContainerHealthChanged;
import dev.tallyman.audit.event.HealthConfig;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.HealthProjection.Health;
import dev.tallyman.runtime.ContainerRuntime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs containers' health probes (HEALTHCHECK, --health-*) while they run, with Docker's rules: a probe every
 * interval (default 30 s), killed after the timeout (default 30 s); exit 0 is healthy, anything else a failure;
 * failures during the start period do not count while the container is still starting, and while it is, probes
 * come every start interval instead (default 5 s, API 1.44); after {@code retries}
 * (default 3) failures in a row it is unhealthy. Each change of status or failing streak goes on the record as
 * {@link ContainerHealthChanged} (actor: Tallyman's health checker), so a restarted service resumes with the same
 * status and streak.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthMonitor.class);
    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    private static final Duration DEFAULT_START_INTERVAL = Duration.ofSeconds(5);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final int DEFAULT_RETRIES = 3;

    private final Journal journal;
    private final ContainerFinder finder;
    private final ContainerRuntime runtime;
    /** The pending probe of each running container; a probe schedules the next one only while it is still here. */
    private final Map<String, Probes> scheduled = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "health-checks");
        t.setDaemon(true);
        return t;
    });

    public HealthMonitor(Journal journal, ContainerFinder finder, ContainerRuntime runtime) {
        this.journal = journal;
        this.finder = finder;
        this.runtime = runtime;
        journal.projections().onApplied(this::applied);
    }

    /** At boot: the checks of containers that still run go on where the record left them. */
    public void resumeAtBoot() {
        journal.projections().read(p -> List.copyOf(p.containers().all())).stream()
                .filter(ContainerView::isRunning).forEach(c -> schedule(c.id(), c.spec().options().health()));
    }

    private void applied(RecordedEvent recorded) {
        if (!(recorded.event() instanceof ContainerEvent event)) {
            return;
        }
        if (event instanceof ContainerEvent.ContainerStarted) {
            // Under the projection's lock: only look at the view, the probes run on the timer's threads.
            journal.projections().containers().byId(event.containerId())
                    .ifPresent(c -> schedule(c.id(), c.spec().options().health()));
        } else if (event instanceof ContainerEvent.ContainerDied || event instanceof ContainerEvent.ContainerRemoved
                || event instanceof ContainerEvent.ContainerRemoveRequested) {
            Probes probes = scheduled.remove(event.containerId());
            if (probes != null) {
                probes.cancel();
            }
        }
    }

    private void schedule(String id, HealthConfig config) {
        if (config == null || !config.probes()) {
            return;
        }
        Probes probes = new Probes();
        Probes old = scheduled.put(id, probes);
        if (old != null) {
            old.cancel();
        }
        probes.next(timer.schedule(() -> probeAndReschedule(id, config, probes), nextDelay(id, config), TimeUnit.NANOSECONDS));
    }

    private void probeAndReschedule(String id, HealthConfig config, Probes probes) {
        probe(id, config);
        if (scheduled.get(id) == probes) {
            probes.next(timer.schedule(() -> probeAndReschedule(id, config, probes), nextDelay(id, config), TimeUnit.NANOSECONDS));
        }
    }

    /**
     * Docker's rule: the start interval while the start period lasts and the container is still starting, the
     * interval otherwise. With no start period (the default) the start interval never applies.
     */
    private long nextDelay(String id, HealthConfig config) {
        long interval = config.intervalNanos() > 0 ? config.intervalNanos() : DEFAULT_INTERVAL.toNanos();
        if (config.startPeriodNanos() <= 0) {
            return interval;
        }
        Instant started = finder.byId(id).flatMap(ContainerView::startedAt).orElse(null);
        boolean inStartPeriod = started != null && Instant.now().isBefore(started.plusNanos(config.startPeriodNanos()));
        boolean starting = journal.projections().read(p -> p.health().of(id)).map(h -> h.status().equals("starting")).orElse(true);
        if (inStartPeriod && starting) {
            return config.startIntervalNanos() > 0 ? config.startIntervalNanos() : DEFAULT_START_INTERVAL.toNanos();
        }
        return interval;
    }

    /** One container's chain of probes: cancelling it stops the pending probe and any the running one would add. */
    private static final class Probes {
        private volatile ScheduledFuture<?> pending;
        private volatile boolean cancelled;

        void next(ScheduledFuture<?> future) {
            pending = future;
            if (cancelled) {
                future.cancel(false);
            }
        }

        void cancel() {
            cancelled = true;
            ScheduledFuture<?> p = pending;
            if (p != null) {
                p.cancel(false);
            }
        }
    }

    private void probe(String id, HealthConfig config) {
        try {
            ContainerView c = finder.byId(id).orElse(null);
            if (c == null || c.state() != ContainerState.RUNNING) {
                return;
            }
            List<String> test = config.test();
            List<String> args = test.get(0).equals("CMD-SHELL") ? List.of("/bin/sh", "-c", String.join(" ", test.subList(1, test.size())))
                    : test.subList(1, test.size());
            Duration timeout = config.timeoutNanos() > 0 ? Duration.ofNanos(config.timeoutNanos()) : DEFAULT_TIMEOUT;
            Instant start = Instant.now();
            ContainerRuntime.ProbeResult result = runtime.probe(id, args, timeout);
            Instant end = Instant.now();
            journal.atomically(() -> {
                Health before = journal.projections().read(p -> p.health().of(id)).orElse(new Health("starting", 0, List.of()));
                String status = before.status();
                int streak = before.failingStreak();
                if (result.exitCode() == 0) {
                    status = "healthy";
                    streak = 0;
                } else {
                    boolean inStartPeriod = config.startPeriodNanos() > 0 && c.startedAt()
                            .map(s -> end.isBefore(s.plusNanos(config.startPeriodNanos()))).orElse(false);
                    if (!(inStartPeriod && status.equals("starting"))) {
                        streak++;
                        int retries = config.retries() > 0 ? config.retries() : DEFAULT_RETRIES;
                        if (streak >= retries) {
                            status = "unhealthy";
                        }
                    }
                }
                if (!status.equals(before.status()) || streak != before.failingStreak()) {
                    journal.append(StreamId.container(id), ExpectedVersion.any(), new ContainerHealthChanged(id, status,
                            before.status(), streak, result.exitCode(), result.output(), start, end),
                            CommandContext.system("healthcheck"));
                }
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warnf("health check of container %s: %s", id, e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
