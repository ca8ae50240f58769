package dev.tallyman.host.commands.volumes;

import dev.tallyman.audit.event.VolumeEvent.VolumeCreateFailed;
import dev.tallyman.audit.event.VolumeEvent.VolumeCreateRequested;
import dev.tallyman.audit.event.VolumeEvent.VolumeCreated;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.VolumeView;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.volume.VolumeDriver;
import dev.tallyman.spi.volume.VolumeInfo;
import dev.tallyman.spi.volume.VolumeSpec;

/**
 * docker volume create: checks the name and driver, records the intent, has the driver create the volume, records
 * the outcome. A name that exists already answers with that volume and records nothing, as Docker does.
 */
public final class CreateVolumeHandler {
    private final Journal journal;
    private final VolumeDrivers drivers;

    public CreateVolumeHandler(Journal journal, VolumeDrivers drivers) {
        this.journal = journal;
        this.drivers = drivers;
    }

    public VolumeView handle(CreateVolume command, CommandContext context) {
        String name = command.name().filter(n -> !n.isEmpty()).map(VolumeNames::check).orElseGet(VolumeNames::random);
        VolumeDriver driver = drivers.require(name, command.driver());
        VolumeView existing = journal.atomically(() -> {
            VolumeView found = journal.projections().read(p -> p.volumes().byName(name)).orElse(null);
            if (found != null) {
                if (!found.driver().equals(driver.name())) {
                    throw EngineException.conflict("create " + name + ": a volume with the name " + name
                            + " already exists with driver \"" + found.driver() + "\"");
                }
                return found;
            }
            long version = journal.projections().read(p -> p.volumes().streamVersion(name));
            boolean known = journal.projections().read(p -> p.volumes().hasStream(name));
            journal.append(StreamId.volume(name), known ? ExpectedVersion.exactly(version) : ExpectedVersion.noStream(),
                    new VolumeCreateRequested(name, driver.name(), command.options(), command.labels()), context);
            return null;
        });
        if (existing != null) {
            return existing;
        }
        VolumeInfo info;
        try {
            info = driver.create(new VolumeSpec(name, command.options()));
        } catch (DriverException e) {
            String message = "create " + name + ": " + VolumeDrivers.causeOf(e);
            journal.append(StreamId.volume(name), ExpectedVersion.any(), new VolumeCreateFailed(name, message), context);
            EngineException failure = e.kind() == DriverException.Kind.INVALID_ARGUMENT ? EngineException.invalid(message)
                    : EngineException.system(message, e);
            throw failure.onRecord();
        } catch (RuntimeException e) {
            String message = "create " + name + ": " + e.getMessage();
            journal.append(StreamId.volume(name), ExpectedVersion.any(), new VolumeCreateFailed(name, message), context);
            throw EngineException.system(message, e).onRecord();
        }
        journal.append(StreamId.volume(name), ExpectedVersion.any(),
                new VolumeCreated(name, driver.name(), info.mountpoint().toString(), info.createdAt()), context);
        return journal.projections().read(p -> p.volumes().byName(name)).orElseThrow();
    }
}
