package dev.tallyman.host.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.networks.ConnectNetworkHandler;
import dev.tallyman.host.commands.networks.CreateNetwork;
import dev.tallyman.host.commands.networks.CreateNetworkHandler;
import dev.tallyman.host.commands.networks.NetworkFinder;
import dev.tallyman.host.commands.networks.PruneNetworksHandler;
import dev.tallyman.host.commands.networks.RemoveNetworkHandler;
import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.host.projections.Projections;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** The /networks routes: Docker's shapes to network commands and queries. */
public final class NetworkApi {
    private static final Set<String> LIST_FILTERS = Set.of("driver", "id", "label", "name", "scope", "type", "dangling");
    private static final Set<String> PRUNE_FILTERS = Set.of("until", "label", "label!");

    private final Projections projections;
    private final NetworkFinder finder;
    private final CreateNetworkHandler create;
    private final RemoveNetworkHandler remove;
    private final PruneNetworksHandler prune;
    private final ConnectNetworkHandler connect;

    public NetworkApi(Projections projections, NetworkFinder finder, CreateNetworkHandler create,
                      RemoveNetworkHandler remove, PruneNetworksHandler prune, ConnectNetworkHandler connect) {
        this.projections = projections;
        this.finder = finder;
        this.create = create;
        this.remove = remove;
        this.prune = prune;
        this.connect = connect;
    }

    public void register(ApiRouter router) {
        router.get("/networks", this::list);
        router.postJson("/networks/create", this::create);
        router.post("/networks/prune", this::prune);
        router.get("/networks/:id", this::inspect);
        router.delete("/networks/:id", r -> {
            remove.handle(r.path("id"), r.commandContext());
            r.noContent();
        });
        router.postJson("/networks/:id/connect", this::connect);
        router.postJson("/networks/:id/disconnect", this::disconnect);
    }

    private void list(ApiRequest request) {
        Filters filters = Filters.parse(request.query("filters", ""), request.mapper(), LIST_FILTERS);
        for (String type : filters.get("type")) {
            if (!type.equals("custom") && !type.equals("builtin")) {
                throw EngineException.invalid("invalid filter: 'type'='" + type + "'");
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<NetworkView> all = projections.read(p -> List.copyOf(p.networks().all()));
        for (NetworkView n : all.stream().sorted(Comparator.comparing(NetworkView::created)).toList()) {
            boolean used = !n.endpoints().isEmpty() || !n.members().isEmpty();
            boolean selected = filters.matchesAny("driver", n.driver()::equals)
                    && filters.matchesAny("id", n.id()::startsWith)
                    && filters.matchesAny("name", f -> n.name().contains(f))
                    && filters.matchesAny("scope", "local"::equals)
                    && filters.matchesAny("type", t -> t.equals("builtin") == n.predefined())
                    && filters.matchesAny("dangling", d -> isTrue(d) == (!used && !n.predefined()))
                    && labelsMatch(filters.get("label"), n.labels(), true);
            if (selected) {
                rows.add(NetworkJson.of(n, false, name -> containerName(name)));
            }
        }
        request.json(200, rows);
    }

    private static boolean isTrue(String value) {
        if (value.equals("true") || value.equals("1")) {
            return true;
        }
        if (value.equals("false") || value.equals("0")) {
            return false;
        }
        throw EngineException.invalid("invalid filter 'dangling=" + value + "'");
    }

    /** label=key or label=key=value, all must hold (positive); for label!, none may hold. */
    static boolean labelsMatch(List<String> wanted, Map<String, String> labels, boolean positive) {
        for (String f : wanted) {
            int eq = f.indexOf('=');
            boolean holds = eq < 0 ? labels.containsKey(f) : f.substring(eq + 1).equals(labels.get(f.substring(0, eq)));
            if (holds != positive) {
                return false;
            }
        }
        return true;
    }

    private String containerName(String id) {
        return projections.read(p -> p.containers().byId(id).map(c -> c.name()).orElse(""));
    }

    private void inspect(ApiRequest request) {
        NetworkView n = finder.require(request.path("id"));
        request.json(200, NetworkJson.of(n, true, this::containerName));
    }

    private void create(ApiRequest request) {
        JsonNode body = request.body(JsonNode.class);
        String name = text(body, "Name");
        Map<String, String> labels = strings(body.get("Labels"));
        Map<String, String> options = strings(body.get("Options"));
        Optional<String> subnet = Optional.empty();
        Optional<String> gateway = Optional.empty();
        Optional<String> ipRange = Optional.empty();
        JsonNode ipam = body.get("IPAM");
        if (ipam != null && ipam.hasNonNull("Config") && ipam.get("Config").size() > 0) {
            if (ipam.get("Config").size() > 1) {
                throw EngineException.invalid("only one IPv4 pool per network is supported");
            }
            JsonNode config = ipam.get("Config").get(0);
            subnet = Optional.ofNullable(text(config, "Subnet")).filter(s -> !s.isEmpty());
            gateway = Optional.ofNullable(text(config, "Gateway")).filter(s -> !s.isEmpty());
            ipRange = Optional.ofNullable(text(config, "IPRange")).filter(s -> !s.isEmpty());
        }
        String driver = Optional.ofNullable(text(body, "Driver")).filter(s -> !s.isEmpty()).orElse("bridge");
        String id = create.createAndFinish(new CreateNetwork(name, driver, subnet, gateway, ipRange,
                body.path("Internal").asBoolean(false), labels, options), request.commandContext());
        request.json(201, Map.of("Id", id, "Warning", ""));
    }

    private void prune(ApiRequest request) {
        Filters filters = Filters.parse(request.query("filters", ""), request.mapper(), PRUNE_FILTERS);
        Optional<Instant> until = filters.get("until").stream().findFirst().map(DockerTime::parseSinceUntil);
        Predicate<NetworkView> selected = n -> until.map(u -> n.created().isBefore(u)).orElse(true)
                && labelsMatch(filters.get("label"), n.labels(), true)
                && labelsMatch(filters.get("label!"), n.labels(), false);
        List<String> removed = prune.handle(selected, request.commandContext());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("NetworksDeleted", removed.isEmpty() ? null : removed);
        request.json(200, answer);
    }

    private void connect(ApiRequest request) {
        JsonNode body = request.body(JsonNode.class);
        String container = text(body, "Container");
        if (container == null || container.isEmpty()) {
            throw EngineException.invalid("container is required");
        }
        JsonNode endpoint = body.path("EndpointConfig");
        List<String> aliases = new ArrayList<>();
        endpoint.path("Aliases").forEach(a -> aliases.add(a.asText()));
        String ip = endpoint.path("IPAMConfig").path("IPv4Address").asText("");
        connect.connect(request.path("id"), container, aliases, ip, request.commandContext());
        request.json(200, Map.of());
    }

    private void disconnect(ApiRequest request) {
        JsonNode body = request.body(JsonNode.class);
        String container = text(body, "Container");
        if (container == null || container.isEmpty()) {
            throw EngineException.invalid("container is required");
        }
        connect.disconnect(request.path("id"), container, body.path("Force").asBoolean(false), request.commandContext());
        request.json(200, Map.of());
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        }
        return map;
    }
}
