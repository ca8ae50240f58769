package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerRenamed;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerView;

/** docker rename: a new name, checked free under the journal's lock like a name at create. */
public final class RenameContainerHandler {
    private final Journal journal;
    private final ContainerFinder finder;

    public RenameContainerHandler(Journal journal, ContainerFinder finder) {
        this.journal = journal;
        this.finder = finder;
    }

    public void handle(String reference, String newName, CommandContext context) {
        if (newName == null || newName.isEmpty()) {
            throw EngineException.invalid("Neither old nor new names may be empty");
        }
        String name = ContainerNames.validate(newName);
        journal.atomically(() -> {
            ContainerView c = finder.require(reference);
            if (c.name().equals(name)) {
                throw EngineException.invalid("Renaming a container with the same name as its current name");
            }
            journal.projections().read(p -> p.containers().idOfName(name)).ifPresent(owner -> {
                throw ContainerNames.nameInUse(name, owner);
            });
            return journal.append(StreamId.container(c.id()), ExpectedVersion.exactly(c.version()),
                    new ContainerRenamed(c.id(), c.name(), name), context);
        });
    }
}
