package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerLinkRemoveFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerLinkRemoveRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerLinkRemoved;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.runtime.ContainerLauncher;

/**
 * docker rm --link /web/alias ({@code DELETE /containers/web/alias?link=1}): the container web forgets the default
 * bridge link it knows as alias. As in Docker, a link is named by its full name "web/alias" (the linking
 * container's exact name, then the alias); a bare container name is refused as the container's own "default link
 * name", and links on user networks have no such name. A running web's /etc/hosts loses the line; the environment
 * its processes got stays.
 */
public final class RemoveLinkHandler {
    private final Journal journal;
    private final ContainerFinder finder;
    private final ContainerLauncher launcher;

    public RemoveLinkHandler(Journal journal, ContainerFinder finder, ContainerLauncher launcher) {
        this.journal = journal;
        this.finder = finder;
        this.launcher = launcher;
    }

    public void handle(String reference, CommandContext context) {
        String linkName = reference.startsWith("/") ? reference.substring(1) : reference;
        int slash = linkName.lastIndexOf('/');
        if (slash < 0) {
            finder.require(reference);
            // Docker's words and status (an untyped error, so a 500) for a container's own name.
            throw new EngineException(EngineException.Kind.SYSTEM,
                    "Conflict, cannot remove the default link name of the container");
        }
        String parentName = linkName.substring(0, slash);
        String alias = linkName.substring(slash + 1);
        ContainerView parent = journal.optimistically(() -> {
            ContainerView found = journal.projections().read(p -> p.containers().idOfName(parentName)
                    .flatMap(id -> p.containers().byId(id)))
                    .filter(c -> c.spec().options().links().stream().anyMatch(l -> l.legacy() && l.alias().equals(alias)))
                    .orElseThrow(() -> EngineException.noSuchContainer(linkName));
            journal.append(StreamId.container(found.id()), ExpectedVersion.exactly(found.version()),
                    new ContainerLinkRemoveRequested(found.id(), alias), context);
            return found;
        });
        try {
            if (parent.isRunning()) {
                launcher.forgetLinkInHosts(parent.id(), alias);
            }
        } catch (RuntimeException e) {
            journal.append(StreamId.container(parent.id()), ExpectedVersion.any(),
                    new ContainerLinkRemoveFailed(parent.id(), alias, e.getMessage()), context);
            throw EngineException.system("remove link " + linkName + ": " + e.getMessage(), e).onRecord();
        }
        journal.append(StreamId.container(parent.id()), ExpectedVersion.any(), new ContainerLinkRemoved(parent.id(), alias),
                context);
    }
}
