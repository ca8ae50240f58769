package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerUpdateFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerUpdateRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerUpdated;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.event.ContainerSpec.ContainerLimits;
import dev.tallyman.audit.event.ContainerSpec.RestartPolicy;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.runtime.RunOptions;
import dev.tallyman.runtime.ContainerRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * docker update: merges the request into the container's limits and restart policy as Docker does (a zero or
 * absent field leaves the setting alone), checks the result with create's checks, records the intent, changes a
 * live container's cgroup through {@code runc update}, and records the outcome. A stopped container gets the new
 * limits at its next start.
 */
public final class UpdateContainerHandler {
    private static final long CPU_PERIOD = 100_000;

    private final Journal journal;
    private final ContainerFinder finder;
    private final ContainerRuntime runtime;

    public UpdateContainerHandler(Journal journal, ContainerFinder finder, ContainerRuntime runtime) {
        this.journal = journal;
        this.finder = finder;
        this.runtime = runtime;
    }

    /**
     * What the request asks, in Docker's units; zero (or null, empty) means unchanged.
     *
     * @param cpuQuota older clients' --cpu-quota, folded into nano CPUs with {@code cpuPeriod} (default 100 ms)
     * @param pidsLimit null unchanged; zero or less: unlimited
     */
    public record Update(long memory, long memorySwap, long nanoCpus, long cpuShares, long cpuQuota, long cpuPeriod,
                         String cpusetCpus, Long pidsLimit, Optional<RestartPolicy> restartPolicy) {
    }

    public void handle(String reference, Update update, CommandContext context) {
        ContainerView[] found = new ContainerView[1];
        ContainerLimits[] next = new ContainerLimits[1];
        RestartPolicy[] policy = new RestartPolicy[1];
        journal.optimistically(() -> {
            ContainerView view = finder.require(reference);
            ContainerSpec spec = view.spec();
            RestartPolicy newPolicy = update.restartPolicy().filter(p -> !p.name().isEmpty()).orElse(spec.restartPolicy());
            if (update.restartPolicy().filter(p -> !p.name().isEmpty()).isPresent()) {
                if (spec.autoRemove() && !newPolicy.name().equals("no")) {
                    throw EngineException.invalid("Restart policy cannot be updated because AutoRemove is enabled for the container");
                }
                RestartPolicies.validate(newPolicy, false);
            }
            ContainerLimits merged = merge(spec.limits(), update);
            ContainerLimits checked;
            try {
                checked = RunOptions.validate(spec.withUpdate(merged, newPolicy));
            } catch (IllegalArgumentException e) {
                throw EngineException.invalid(e.getMessage());
            }
            journal.append(StreamId.container(view.id()), ExpectedVersion.exactly(view.version()),
                    new ContainerUpdateRequested(view.id(), checked, newPolicy), context);
            found[0] = view;
            next[0] = checked;
            policy[0] = newPolicy;
            return view;
        });
        ContainerView view = found[0];
        if (view.isRunning()) {
            List<String> flags = runcFlags(view.spec().limits(), next[0]);
            if (!flags.isEmpty()) {
                try {
                    runtime.update(view.id(), flags);
                } catch (RuntimeException e) {
                    journal.append(StreamId.container(view.id()), ExpectedVersion.any(),
                            new ContainerUpdateFailed(view.id(), e.getMessage()), context);
                    throw EngineException.system("Cannot update container " + view.id() + ": " + e.getMessage(), e).onRecord();
                }
            }
        }
        journal.append(StreamId.container(view.id()), ExpectedVersion.any(),
                new ContainerUpdated(view.id(), next[0], policy[0]), context);
    }

    static ContainerLimits merge(ContainerLimits old, Update u) {
        long memory = u.memory() != 0 ? u.memory() : old.memory();
        long swap = u.memorySwap() != 0 ? u.memorySwap() : old.memorySwap();
        if (u.memory() != 0 && u.memorySwap() == 0 && old.memorySwap() > 0 && u.memory() > old.memorySwap()) {
            throw EngineException.invalid("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time");
        }
        long nanoCpus = old.nanoCpus();
        if (u.nanoCpus() != 0) {
            nanoCpus = u.nanoCpus();
        } else if (u.cpuQuota() > 0) {
            long period = u.cpuPeriod() > 0 ? u.cpuPeriod() : CPU_PERIOD;
            nanoCpus = u.cpuQuota() * 1_000_000_000L / period;
        }
        long shares = u.cpuShares() != 0 ? u.cpuShares() : old.cpuShares();
        String cpuset = u.cpusetCpus() != null && !u.cpusetCpus().isEmpty() ? u.cpusetCpus() : old.cpusetCpus();
        long pids = u.pidsLimit() == null ? old.pidsLimit() : Math.max(0, u.pidsLimit());
        return new ContainerLimits(memory, swap, nanoCpus, shares, cpuset, pids, old.ulimits());
    }

    /** The runc update flags for what changed; memory and swap go together, as the kernel checks them together. */
    static List<String> runcFlags(ContainerLimits old, ContainerLimits next) {
        List<String> flags = new ArrayList<>();
        if (next.memory() != old.memory() || next.memorySwap() != old.memorySwap()) {
            flags.addAll(List.of("--memory", Long.toString(next.memory() > 0 ? next.memory() : -1)));
            flags.addAll(List.of("--memory-swap", Long.toString(next.memorySwap() != 0 ? next.memorySwap() : -1)));
        }
        if (next.nanoCpus() != old.nanoCpus()) {
            flags.addAll(List.of("--cpu-period", Long.toString(CPU_PERIOD)));
            flags.addAll(List.of("--cpu-quota", Long.toString(next.nanoCpus() > 0 ? next.nanoCpus() * CPU_PERIOD / 1_000_000_000L : -1)));
        }
        if (next.cpuShares() != old.cpuShares() && next.cpuShares() > 0) {
            flags.addAll(List.of("--cpu-share", Long.toString(next.cpuShares())));
        }
        if (!next.cpusetCpus().equals(old.cpusetCpus()) && !next.cpusetCpus().isEmpty()) {
            flags.addAll(List.of("--cpuset-cpus", next.cpusetCpus()));
        }
        if (next.pidsLimit() != old.pidsLimit()) {
            flags.addAll(List.of("--pids-limit", Long.toString(next.pidsLimit() > 0 ? next.pidsLimit() : -1)));
        }
        return flags;
    }
}
