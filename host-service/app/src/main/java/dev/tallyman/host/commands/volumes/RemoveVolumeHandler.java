package dev.tallyman.host.commands.volumes;

import dev.tallyman.audit.event.VolumeEvent.VolumeRemoveFailed;
import dev.tallyman.audit.event.VolumeEvent.VolumeRemoveRequested;
import dev.tallyman.audit.event.VolumeEvent.VolumeRemoved;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.VolumeView;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.volume.VolumeDriver;
import java.util.List;

/**
 * docker volume rm: refuses a volume that a container uses (Docker's 409 naming them), records the intent, has the
 * driver remove it, records the outcome. The driver takes the volume out of its list atomically first, so a crash in
 * between leaves it whole or gone, and the boot reconciler records which.
 */
public final class RemoveVolumeHandler {
    private final Journal journal;
    private final VolumeDrivers drivers;

    public RemoveVolumeHandler(Journal journal, VolumeDrivers drivers) {
        this.journal = journal;
        this.drivers = drivers;
    }

    /** @param force a missing volume is not an error (docker volume rm -f) */
    public void handle(String name, boolean force, CommandContext context) {
        VolumeView view = journal.atomically(() -> {
            VolumeView found = journal.projections().read(p -> p.volumes().byName(name)).orElse(null);
            if (found == null) {
                if (force) {
                    return null;
                }
                throw EngineException.notFound("get " + name + ": no such volume");
            }
            List<String> users = journal.projections().read(p -> VolumeUsers.of(p, name));
            if (!users.isEmpty()) {
                throw EngineException.conflict("remove " + name + ": volume is in use - [" + String.join(", ", users) + "]");
            }
            if (!found.pendingIntent().isEmpty()) {
                throw EngineException.conflict("remove " + name + ": volume is busy with another command");
            }
            journal.append(StreamId.volume(name), ExpectedVersion.exactly(found.version()),
                    new VolumeRemoveRequested(name, force), context);
            return found;
        });
        if (view == null) {
            return;
        }
        try {
            VolumeDriver driver = drivers.find(view.driver()).orElseThrow(() ->
                    new IllegalStateException("volume driver " + view.driver() + " is not loaded"));
            driver.remove(name);
        } catch (DriverException e) {
            String message = "remove " + name + ": " + VolumeDrivers.causeOf(e);
            journal.append(StreamId.volume(name), ExpectedVersion.any(), new VolumeRemoveFailed(name, message), context);
            EngineException failure = e.kind() == DriverException.Kind.IN_USE ? EngineException.conflict(message)
                    : EngineException.system(message, e);
            throw failure.onRecord();
        } catch (RuntimeException e) {
            String message = "remove " + name + ": " + e.getMessage();
            journal.append(StreamId.volume(name), ExpectedVersion.any(), new VolumeRemoveFailed(name, message), context);
            throw EngineException.system(message, e).onRecord();
        }
        journal.append(StreamId.volume(name), ExpectedVersion.any(), new VolumeRemoved(name, view.driver()), context);
    }
}
