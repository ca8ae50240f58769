package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerLink;
import dev.tallyman.audit.event.NetworkEvent.NetworkEndpoint;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.runtime.LinkedContainer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Docker's --link: read at create, resolved against the containers that exist then (default bridge) or kept as
 * names (user networks), and turned into the linked containers' addresses at each start. Docker's checks and
 * words: moby's registerLinks, setupLinkedContainers and opts.ParseLink.
 */
public final class ContainerLinks {
    /** The network Docker's legacy links live on. */
    static final String DEFAULT_BRIDGE = "bridge";

    private ContainerLinks() {
    }

    /** HostConfig.Links ("db:alias", "db", or inspect's own "/db:/web/alias") as links not yet resolved. */
    public static List<ContainerLink> parse(List<String> requested) {
        List<ContainerLink> links = new ArrayList<>();
        for (String text : requested == null ? List.<String>of() : requested) {
            if (text == null || text.isEmpty()) {
                throw EngineException.invalid("empty string specified for links");
            }
            String[] parts = text.split(":", -1);
            if (parts.length > 2) {
                throw EngineException.invalid("bad format for links: " + text);
            }
            if (parts.length == 1) {
                links.add(new ContainerLink(text, text, ""));
            } else if (parts[0].startsWith("/")) {
                // A HostConfig copied from inspect names the link by its full name: the alias is its last part.
                links.add(new ContainerLink(parts[0].substring(1), parts[1].substring(parts[1].lastIndexOf('/') + 1), ""));
            } else {
                links.add(new ContainerLink(parts[0], parts[1], ""));
            }
        }
        return links;
    }

    /**
     * The links a container created in {@code networkMode} keeps. On the default bridge each named container must
     * exist and is followed by id (through {@code container:<id>} network modes to the container owning the
     * network); an alias given twice keeps its first container, as Docker's name registry does. On a user network
     * the names stay names: Docker checks nothing there.
     */
    static List<ContainerLink> resolve(List<ContainerLink> requested, String networkMode, Projections projections) {
        if (requested.isEmpty()) {
            return requested;
        }
        if (networkMode.equals("host")) {
            throw EngineException.invalid("conflicting options: host type networking can't be used with links. "
                    + "This would result in undefined behavior");
        }
        if (networkMode.startsWith("container:")) {
            throw EngineException.invalid("conflicting options: container type network can't be used with links. "
                    + "This would result in undefined behavior");
        }
        if (!networkMode.equals(DEFAULT_BRIDGE) && !networkMode.equals("none")) {
            return requested;
        }
        List<ContainerLink> resolved = new ArrayList<>();
        Set<String> aliases = new LinkedHashSet<>();
        for (ContainerLink link : requested) {
            ContainerView child = existing(link.name(), projections);
            while (child.spec().networkMode().startsWith("container:")) {
                String owner = child.spec().networkMode().substring("container:".length());
                child = existing(owner, projections);
            }
            if (child.spec().networkMode().equals("host")) {
                throw EngineException.invalid("conflicting options: host type networking can't be used with links. "
                        + "This would result in undefined behavior");
            }
            if (aliases.add(link.alias())) {
                resolved.add(new ContainerLink(link.name(), link.alias(), child.id()));
            }
        }
        return resolved;
    }

    /**
     * A missing container is the request's fault (400), not a 404: the CLI answers a 404 from create by pulling
     * the image (moby#39823).
     */
    private static ContainerView existing(String reference, Projections projections) {
        Optional<ContainerView> found = projections.read(p -> p.containers().find(reference));
        return found.orElseThrow(() -> EngineException.invalid("could not get container for " + reference
                + ": No such container: " + reference));
    }

    /**
     * The containers {@code parent} links to, as its start needs them: only when it is on the default bridge, and
     * each linked container must run there. Refused with Docker's words (a 500, as Docker answers) otherwise.
     */
    static List<LinkedContainer> atStart(ContainerView parent, Projections p) {
        List<ContainerLink> legacy = parent.spec().options().links().stream().filter(ContainerLink::legacy).toList();
        if (legacy.isEmpty()) {
            return List.of();
        }
        Optional<NetworkView> bridge = p.networks().find(DEFAULT_BRIDGE);
        if (bridge.isEmpty() || !bridge.get().members().containsKey(parent.id())) {
            return List.of(); // not on the default bridge: Docker writes neither hosts lines nor variables
        }
        List<LinkedContainer> linked = new ArrayList<>();
        for (ContainerLink link : legacy) {
            Optional<ContainerView> child = p.containers().byId(link.containerId());
            String childName = "/" + child.map(ContainerView::name).orElse(link.name());
            String linkName = "/" + parent.name() + "/" + link.alias();
            if (child.isEmpty() || !child.get().isRunning()) {
                throw new EngineException(EngineException.Kind.SYSTEM,
                        "Cannot link to a non running container: " + childName + " AS " + linkName);
            }
            NetworkEndpoint endpoint = bridge.get().joined().contains(link.containerId())
                    ? bridge.get().endpoints().get(link.containerId()) : null;
            if (endpoint == null || endpoint.ipv4Address().isEmpty()) {
                throw new EngineException(EngineException.Kind.SYSTEM,
                        "Cannot link to " + childName + ", as it does not belong to the default network");
            }
            ContainerView c = child.get();
            linked.add(new LinkedContainer(linkName, endpoint.ipv4Address(), c.spec().hostname(), c.name(),
                    c.spec().env(), c.spec().exposedPorts()));
        }
        return linked;
    }

    /**
     * A running container that links to a container on the default bridge, the alias it uses, and the linked
     * container's address there now.
     */
    record Parent(String parentId, String alias, String ip) {
    }

    /** Who links to {@code childId} and runs, for the hosts update after the child started. */
    static List<Parent> parentsOf(String childId, Projections p) {
        Optional<NetworkView> bridge = p.networks().find(DEFAULT_BRIDGE);
        NetworkEndpoint endpoint = bridge.filter(b -> b.joined().contains(childId))
                .map(b -> b.endpoints().get(childId)).orElse(null);
        if (endpoint == null || endpoint.ipv4Address().isEmpty()) {
            return List.of();
        }
        List<Parent> parents = new ArrayList<>();
        for (ContainerView c : p.containers().all()) {
            if (!c.isRunning()) {
                continue;
            }
            for (ContainerLink link : c.spec().options().links()) {
                if (link.containerId().equals(childId)) {
                    parents.add(new Parent(c.id(), link.alias(), endpoint.ipv4Address()));
                }
            }
        }
        return parents;
    }

    /** HostConfig.Links as inspect shows it: "/db:/web/alias" for each default bridge link; null without any. */
    public static List<String> inspect(ContainerView c, Projections p) {
        List<String> shown = new ArrayList<>();
        for (ContainerLink link : c.spec().options().links()) {
            if (link.legacy()) {
                String child = p.containers().byId(link.containerId()).map(ContainerView::name).orElse(link.name());
                shown.add("/" + child + ":/" + c.name() + "/" + link.alias());
            }
        }
        return shown.isEmpty() ? null : shown;
    }

    /** A user network's endpoint Links as inspect shows them: "udb:ualias"; null without any. */
    public static List<String> onUserNetwork(ContainerView c) {
        List<String> shown = c.spec().options().links().stream().filter(l -> !l.legacy())
                .map(l -> l.name() + ":" + l.alias()).toList();
        return shown.isEmpty() ? null : shown;
    }
}
