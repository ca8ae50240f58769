package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerRestartScheduled;
import dev.tallyman.audit.event.ContainerSpec.RestartPolicy;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Docker's restart policies, enforced by Tallyman: after a death (and at boot, for deaths while it was away)
 * decides whether to start the container again, records the decision, and starts it after a back-off that doubles
 * from 100 ms up to a minute, reset when the last run lasted ten seconds or more.
 */
public final class RestartPolicies implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RestartPolicies.class);
    private static final Duration FIRST_DELAY = Duration.ofMillis(100);
    private static final Duration MAX_DELAY = Duration.ofMinutes(1);
    private static final Duration STABLE_RUN = Duration.ofSeconds(10);

    private final Journal journal;
    private final ContainerFinder finder;
    private StartContainerHandler starter;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "restart-policies");
        t.setDaemon(true);
        return t;
    });

    public RestartPolicies(Journal journal, ContainerFinder finder) {
        this.journal = journal;
        this.finder = finder;
    }

    /** The start handler depends on the exit recorder, which depends on this: wired once after construction. */
    public void startWith(StartContainerHandler starter) {
        this.starter = starter;
    }

    /** Docker's checks of --restart at create. */
    public static void validate(RestartPolicy policy, boolean autoRemove) {
        String name = policy.name();
        switch (name) {
            case "", "no", "always", "unless-stopped", "on-failure" -> {
            }
            default -> throw EngineException.invalid("invalid restart policy: unknown policy '" + name
                    + "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
        }
        if (policy.maximumRetryCount() < 0) {
            throw EngineException.invalid("invalid restart policy: maximum retry count must be a positive integer");
        }
        if (policy.maximumRetryCount() > 0 && !name.equals("on-failure")) {
            throw EngineException.invalid("invalid restart policy: maximum retry count can only be used with 'on-failure'");
        }
        if (autoRemove && !(name.isEmpty() || name.equals("no"))) {
            throw EngineException.invalid("can't create 'AutoRemove' container with restart policy");
        }
    }

    /** Whether the policy wants the container back after it exited with this code. */
    static boolean wantsRestart(ContainerView c, int exitCode) {
        RestartPolicy policy = c.spec().restartPolicy();
        if (c.manuallyStopped()) {
            return false;
        }
        return switch (policy.name()) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> exitCode != 0 && (policy.maximumRetryCount() == 0 || c.restartCount() < policy.maximumRetryCount());
            default -> false;
        };
    }

    /**
     * After a recorded death: schedules a restart when the policy wants one.
     *
     * @return whether a restart was scheduled (then --rm does not apply)
     */
    public boolean afterExit(String containerId, UUID runRequest) {
        ContainerView c = finder.byId(containerId).orElse(null);
        if (c == null || c.state() != ContainerState.EXITED || !wantsRestart(c, c.exitCode())) {
            return false;
        }
        int attempt = c.restartCount() + 1;
        Duration lastRun = Duration.between(c.startedAt().orElse(Instant.EPOCH), c.finishedAt().orElse(Instant.EPOCH));
        long delay = lastRun.compareTo(STABLE_RUN) >= 0 ? FIRST_DELAY.toMillis()
                : Math.min(MAX_DELAY.toMillis(), FIRST_DELAY.toMillis() << Math.min(20, c.restartCount()));
        CommandContext context = new CommandContext(Actor.system("restart-policy"), runRequest);
        journal.append(StreamId.container(containerId), ExpectedVersion.any(),
                new ContainerRestartScheduled(containerId, attempt, delay), context);
        timer.schedule(() -> restart(containerId, context, false), delay, TimeUnit.MILLISECONDS);
        return true;
    }

    /**
     * At boot: containers Docker would bring back when its daemon starts. A manual stop holds back unless-stopped
     * and on-failure, but not always: Docker documents that such a container comes back with the daemon.
     */
    public void atBoot(ContainerView c) {
        boolean stopped = c.state() == ContainerState.EXITED || c.state() == ContainerState.RESTARTING;
        if (!stopped) {
            return;
        }
        String name = c.spec().restartPolicy().name();
        boolean back = name.equals("always") || (!c.manuallyStopped() && (name.equals("unless-stopped")
                || (name.equals("on-failure") && wantsRestart(c, c.exitCode()))));
        if (back) {
            CommandContext context = CommandContext.system("restart-policy");
            timer.execute(() -> restart(c.id(), context, true));
        }
    }

    /** @param atBoot the daemon-start decision already weighed a manual stop */
    private void restart(String containerId, CommandContext context, boolean atBoot) {
        ContainerView c = finder.byId(containerId).orElse(null);
        if (c == null || (c.manuallyStopped() && !atBoot) || c.isRunning() || c.state() == ContainerState.REMOVING) {
            return;
        }
        try {
            starter.handle(containerId, context);
        } catch (EngineException e) {
            LOG.warnf("restart container %s by policy: %s", containerId, e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
