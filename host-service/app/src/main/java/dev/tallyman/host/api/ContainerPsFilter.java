package dev.tallyman.host.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.host.commands.volumes.VolumeUsers;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.HealthProjection;
import dev.tallyman.host.projections.NetworkView;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * docker ps's {@code --filter}s, each as Docker reads it: a container is listed when it matches one value of
 * every filter named. Unknown filters and statuses are refused with Docker's 400 when the request is read.
 */
final class ContainerPsFilter {
    private static final Set<String> NAMES = Set.of("status", "name", "id", "label", "ancestor", "exited", "before",
            "since", "network", "volume", "health", "isolation", "publish", "expose", "is-task");
    private static final Set<String> STATUSES = Set.of("created", "restarting", "running", "removing", "paused",
            "exited", "dead");

    private final Filters filters;
    private final ImageLookup lookup;
    private final Function<ContainerView, List<NetworkView>> networksOf;
    private final Function<ContainerView, Optional<HealthProjection.Health>> healthOf;
    private final Optional<Instant> before;
    private final Optional<Instant> since;

    private ContainerPsFilter(Filters filters, ImageLookup lookup, Function<ContainerView, List<NetworkView>> networksOf,
                              Function<ContainerView, Optional<HealthProjection.Health>> healthOf,
                              Optional<Instant> before, Optional<Instant> since) {
        this.filters = filters;
        this.lookup = lookup;
        this.networksOf = networksOf;
        this.healthOf = healthOf;
        this.before = before;
        this.since = since;
    }

    /** Reads the {@code filters} query; {@code before} and {@code since} name containers, looked up now. */
    static ContainerPsFilter parse(String text, ObjectMapper json, ContainerFinder finder, ImageLookup lookup,
                                   Function<ContainerView, List<NetworkView>> networksOf,
                                   Function<ContainerView, Optional<HealthProjection.Health>> healthOf) {
        Filters filters = Filters.parse(text, json, NAMES);
        for (String status : filters.get("status")) {
            if (!STATUSES.contains(status)) {
                throw EngineException.invalid("invalid filter 'status=" + status + "'");
            }
        }
        Optional<Instant> before = filters.get("before").stream().findFirst().map(ref -> finder.require(ref).created());
        Optional<Instant> since = filters.get("since").stream().findFirst().map(ref -> finder.require(ref).created());
        return new ContainerPsFilter(filters, lookup, networksOf, healthOf, before, since);
    }

    /** A status or exited filter lists stopped containers without -a, as Docker does. */
    boolean asksForStopped() {
        return filters.has("status") || filters.has("exited");
    }

    boolean matches(ContainerView c) {
        return filters.matchesAny("status", st -> st.equals(c.state().dockerStatus()))
                && filters.matchesAny("name", n -> Pattern.compile(n.startsWith("/") ? n.substring(1) : n)
                        .matcher(c.name()).find())
                && filters.matchesAny("id", c.id()::startsWith)
                && filters.matchesAny("label", l -> Filters.labelMatches(c.spec().labels(), l))
                && filters.matchesAny("ancestor", a -> ancestorMatches(c, a))
                && filters.matchesAny("exited", e -> c.state() == ContainerState.EXITED
                        && e.equals(Integer.toString(c.exitCode())))
                && filters.matchesAny("network", n -> n.equals(c.spec().networkMode())
                        || networksOf.apply(c).stream().anyMatch(v -> v.name().equals(n) || v.id().startsWith(n)))
                && filters.matchesAny("publish", pub -> ContainerNetworkJson.published(c, networksOf.apply(c)).stream()
                        .anyMatch(p -> ContainerNetworkJson.portMatches(pub, p.containerPort(), p.protocol())))
                && filters.matchesAny("expose", exp -> c.spec().exposedPorts().stream()
                        .anyMatch(p -> ContainerNetworkJson.portMatches(exp, p)))
                && filters.matchesAny("volume", v -> VolumeUsers.matchesFilter(c, v))
                && filters.matchesAny("health", h -> h.equals(HealthJson.filterValue(healthOf.apply(c))))
                && before.map(b -> c.created().isBefore(b)).orElse(true)
                && since.map(b -> c.created().isAfter(b)).orElse(true);
    }

    /** ancestor=busybox, busybox:latest, or an image id (prefix): the container's image. */
    private boolean ancestorMatches(ContainerView c, String ancestor) {
        if (c.spec().imageId().replace("sha256:", "").startsWith(ancestor.replace("sha256:", ""))) {
            return true;
        }
        return lookup.find(ancestor).map(i -> i.id().equals(c.spec().imageId())).orElse(false);
    }
}
