package dev.tallyman.host.metrics;

import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.WriteObserver;
import dev.tallyman.host.api.ApiRouter;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.Projections;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What Tallyman tells Prometheus (GET /metrics on the API socket): containers by state and images, read from the
 * projections when scraped; every API request by route, method and status with a latency histogram; the event
 * store's append latency, commit time and batch sizes; how far live event tails lag behind the store; and what
 * the boot reconcilers did (events appended by the actor {@code reconcile}, by type).
 *
 * <p>Container states use Docker's metric, {@code engine_daemon_container_states_containers} with the states
 * running, paused and stopped, so a dashboard made for dockerd reads it unchanged.
 */
public final class EngineMetrics implements WriteObserver, ApiRouter.RequestObserver {
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30)};
    private final MeterRegistry registry;
    private final Timer appendOk;
    private final Timer appendFailed;
    private final Timer commit;
    private final DistributionSummary batchEvents;
    private final DistributionSummary batchAppends;
    private final java.util.Map<String, java.util.concurrent.atomic.LongAdder> reconcilerActions =
            new java.util.concurrent.ConcurrentHashMap<>();

    public EngineMetrics(MeterRegistry registry, Projections projections, JdbcEventStore store) {
        this.registry = registry;
        for (String state : List.of("running", "paused", "stopped")) {
            Gauge.builder("engine.daemon.container.states.containers", projections, p -> count(p, state))
                    .description("Containers by state, as dockerd reports them").tag("state", state).register(registry);
        }
        for (ContainerState state : ContainerState.values()) {
            String name = state.name().toLowerCase(Locale.ROOT);
            Gauge.builder("tallyman.containers", projections,
                            p -> p.read(v -> v.containers().all().stream().filter(c -> c.state() == state).count()))
                    .description("Containers by Tallyman's state").tag("state", name).register(registry);
        }
        Gauge.builder("tallyman.images", projections, p -> p.read(v -> v.images().all().size()))
                .description("Images in the store").register(registry);
        Gauge.builder("tallyman.events.position", projections, Projections::position)
                .description("Position of the last event folded into the projections").register(registry);
        Gauge.builder("tallyman.events.relay.lag", store.commits(), c -> c.followerLag())
                .description("Committed events the furthest-behind live event tail (docker events) has yet to deliver")
                .baseUnit("events").register(registry);
        appendOk = appendTimer("ok");
        appendFailed = appendTimer("failed");
        commit = Timer.builder("tallyman.events.commit").description("Time of one event store transaction, lock to commit")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        batchEvents = DistributionSummary.builder("tallyman.events.batch").baseUnit("events")
                .description("Events written per commit").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
                .register(registry);
        batchAppends = DistributionSummary.builder("tallyman.events.batch.appends")
                .description("Appends (callers) sharing one commit").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
                .register(registry);
        store.onCommit(this::committed);
        store.observeWith(this);
    }

    private Timer appendTimer(String outcome) {
        return Timer.builder("tallyman.events.append").description("Time from an append's call to its commit")
                .tag("outcome", outcome).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    private static double count(Projections projections, String dockerState) {
        return projections.read(v -> v.containers().all().stream().filter(c -> switch (c.state()) {
            case RUNNING, RESTARTING -> dockerState.equals("running");
            case PAUSED -> dockerState.equals("paused");
            default -> dockerState.equals("stopped");
        }).count());
    }

    /** Reconciler actions: what the boot reconcilers appended, counted by event type. */
    private void committed(List<RecordedEvent> events) {
        for (RecordedEvent event : events) {
            Actor actor = event.actor();
            if (actor.kind() == Actor.Kind.SYSTEM && actor.userName().equals("reconcile")) {
                // Counted here and read at each scrape: the reconcilers run while the service starts, before
                // Quarkus has attached the Prometheus registry, and a plain counter's early increments would be lost.
                reconcilerActions.computeIfAbsent(event.type(), type -> {
                    java.util.concurrent.atomic.LongAdder count = new java.util.concurrent.atomic.LongAdder();
                    FunctionCounter.builder("tallyman.reconciler.actions", count, java.util.concurrent.atomic.LongAdder::doubleValue)
                            .description("Outcomes the boot reconcilers appended").tag("event", type).register(registry);
                    return count;
                }).increment();
            }
        }
    }

    @Override
    public void appended(long nanos, int events, boolean failed) {
        (failed ? appendFailed : appendOk).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void batchCommitted(int appends, int events, long nanos) {
        commit.record(nanos, TimeUnit.NANOSECONDS);
        batchEvents.record(events);
        batchAppends.record(appends);
    }

    @Override
    public void answered(String method, String route, int status, long nanos) {
        Timer.builder("tallyman.api.requests").description("Docker API requests by route and status")
                .tags("method", method, "route", route, "status", Integer.toString(status))
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }
}
