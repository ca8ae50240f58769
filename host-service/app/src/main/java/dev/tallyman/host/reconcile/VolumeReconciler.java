package dev.tallyman.host.reconcile;

import dev.tallyman.audit.event.VolumeEvent.VolumeCreateFailed;
import dev.tallyman.audit.event.VolumeEvent.VolumeCreated;
import dev.tallyman.audit.event.VolumeEvent.VolumeRemoveFailed;
import dev.tallyman.audit.event.VolumeEvent.VolumeRemoved;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.volumes.VolumeDrivers;
import dev.tallyman.host.projections.VolumeView;
import dev.tallyman.host.runtime.VolumeMounter;
import dev.tallyman.spi.volume.VolumeDriver;
import dev.tallyman.spi.volume.VolumeInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * At boot, after the containers are reconciled: every volume intent without an outcome is decided by asking the
 * driver, and volume mounts that no running container holds (left by a crash) are undone. A removal cut short is
 * recorded as done only when the driver no longer has the volume; otherwise the volume stays, with its data.
 */
public final class VolumeReconciler {
    private static final Logger LOG = Logger.getLogger(VolumeReconciler.class);
    static final String INTERRUPTED = "interrupted: tallyman stopped before the outcome was recorded";

    private final Journal journal;
    private final VolumeDrivers drivers;
    private final VolumeMounter mounter;

    public VolumeReconciler(Journal journal, VolumeDrivers drivers, VolumeMounter mounter) {
        this.journal = journal;
        this.drivers = drivers;
        this.mounter = mounter;
    }

    public void run() {
        CommandContext context = CommandContext.system("reconcile");
        List<VolumeView> open = journal.projections().read(p -> p.volumes().all().stream()
                .filter(v -> !v.pendingIntent().isEmpty()).toList());
        for (VolumeView v : open) {
            try {
                decide(v, context);
            } catch (RuntimeException e) {
                LOG.errorf(e, "reconcile volume %s: %s", v.name(), e.getMessage());
            }
        }
        for (Path unmounted : mounter.unmountUnheld()) {
            LOG.warnf("reconcile: unmounted volume mountpoint %s, which no running container holds", unmounted);
        }
    }

    private void decide(VolumeView v, CommandContext system) {
        StreamId stream = StreamId.volume(v.name());
        // The outcome closes the request's own story: its correlation id, Tallyman's actor.
        List<OpenIntents.Open> opens = OpenIntents.in(journal.store().readStream(stream));
        CommandContext context = opens.isEmpty() ? system
                : new CommandContext(system.actor(), opens.get(opens.size() - 1).correlationId());
        Optional<VolumeDriver> driver = drivers.find(v.driver());
        Optional<VolumeInfo> held = driver.flatMap(d -> d.inspect(v.name()));
        switch (v.pendingIntent()) {
            case "volume.create-requested" -> {
                if (held.isPresent()) {
                    journal.append(stream, ExpectedVersion.exactly(v.version()), new VolumeCreated(v.name(), v.driver(),
                            held.get().mountpoint().toString(), held.get().createdAt()), context);
                } else {
                    journal.append(stream, ExpectedVersion.exactly(v.version()),
                            new VolumeCreateFailed(v.name(), "create " + v.name() + ": " + INTERRUPTED), context);
                }
            }
            case "volume.remove-requested" -> {
                if (held.isPresent() || driver.isEmpty()) {
                    journal.append(stream, ExpectedVersion.exactly(v.version()),
                            new VolumeRemoveFailed(v.name(), "remove " + v.name() + ": " + INTERRUPTED + "; the volume and its data are kept"),
                            context);
                } else {
                    journal.append(stream, ExpectedVersion.exactly(v.version()), new VolumeRemoved(v.name(), v.driver()), context);
                }
            }
            default -> LOG.warnf("reconcile volume %s: no rule for open intent %s", v.name(), v.pendingIntent());
        }
    }
}
