package dev.tallyman.host.api;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.volumes.CreateVolume;
import dev.tallyman.host.commands.volumes.CreateVolumeHandler;
import dev.tallyman.host.commands.volumes.PruneVolumesHandler;
import dev.tallyman.host.commands.volumes.RemoveVolumeHandler;
import dev.tallyman.host.commands.volumes.VolumeDrivers;
import dev.tallyman.host.commands.volumes.VolumeUsers;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.projections.VolumeView;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** The /volumes routes: create, list, inspect, remove and prune, in Docker's shapes. */
public final class VolumeApi {
    private static final Set<String> LIST_FILTERS = Set.of("dangling", "name", "label", "label!", "driver");
    private static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "all");

    private final Projections projections;
    private final CreateVolumeHandler create;
    private final RemoveVolumeHandler remove;
    private final PruneVolumesHandler prune;
    private final VolumeDrivers drivers;

    public VolumeApi(Projections projections, CreateVolumeHandler create, RemoveVolumeHandler remove,
                     PruneVolumesHandler prune, VolumeDrivers drivers) {
        this.projections = projections;
        this.create = create;
        this.remove = remove;
        this.prune = prune;
        this.drivers = drivers;
    }

    /** The body of POST /volumes/create. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CreateBody(String name, String driver, Map<String, String> driverOpts, Map<String, String> labels) {
    }

    public void register(ApiRouter router) {
        router.postJson("/volumes/create", this::create);
        router.get("/volumes", this::list);
        router.post("/volumes/prune", this::prune);
        router.get("/volumes/:name", this::inspect);
        router.delete("/volumes/:name", this::remove);
    }

    private void create(ApiRequest request) {
        CreateBody body = request.body(CreateBody.class);
        VolumeView v = create.handle(new CreateVolume(Optional.ofNullable(body.name()), body.driver(),
                body.driverOpts() == null ? Map.of() : body.driverOpts(),
                body.labels() == null ? Map.of() : body.labels()), request.commandContext());
        request.json(201, json(v));
    }

    private void list(ApiRequest request) {
        Filters filters = Filters.parse(request.query("filters", ""), request.mapper(), LIST_FILTERS);
        for (String d : filters.get("dangling")) {
            if (!Set.of("true", "false", "1", "0").contains(d)) {
                throw EngineException.invalid("invalid filter 'dangling=" + d + "'");
            }
        }
        List<Map<String, Object>> volumes = projections.read(p -> p.volumes().all().stream()
                .filter(VolumeView::created)
                .filter(v -> filters.matchesAny("dangling", d -> (d.equals("true") || d.equals("1")) == VolumeUsers.of(p, v.name()).isEmpty()))
                .filter(v -> filters.matchesAny("name", n -> v.name().contains(n) || Pattern.compile(n).matcher(v.name()).find()))
                .filter(v -> filters.matchesAny("driver", d -> d.equals(v.driver())))
                .filter(v -> filters.matchesAny("label", l -> Filters.labelMatches(v.labels(), l)))
                .filter(v -> !filters.has("label!") || filters.get("label!").stream().noneMatch(l -> Filters.labelMatches(v.labels(), l)))
                .toList()).stream().map(VolumeApi::json).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Volumes", volumes);
        body.put("Warnings", null);
        request.json(200, body);
    }

    private void inspect(ApiRequest request) {
        String name = request.path("name");
        VolumeView v = projections.read(p -> p.volumes().byName(name)).filter(VolumeView::created)
                .orElseThrow(() -> EngineException.notFound("get " + name + ": no such volume"));
        request.json(200, json(v));
    }

    private void remove(ApiRequest request) {
        remove.handle(request.path("name"), request.flag("force"), request.commandContext());
        request.noContent();
    }

    /**
     * docker volume prune. Since API 1.42 (Docker 23) only anonymous volumes go unless the filter all=true is
     * given (the CLI's --all); older clients get every unused volume pruned, as Docker answered them.
     */
    private void prune(ApiRequest request) {
        Filters filters = Filters.parse(request.query("filters", ""), request.mapper(), PRUNE_FILTERS);
        boolean all = !request.version().atLeast(1, 42)
                || filters.get("all").stream().anyMatch(a -> a.equals("true") || a.equals("1"));
        for (String a : filters.get("all")) {
            if (!Set.of("true", "false", "1", "0").contains(a)) {
                throw EngineException.invalid("invalid filter 'all=" + a + "'");
            }
        }
        Predicate<VolumeView> selected = v -> (all || v.anonymous())
                && filters.matchesAny("label", l -> Filters.labelMatches(v.labels(), l))
                && (!filters.has("label!") || filters.get("label!").stream().noneMatch(l -> Filters.labelMatches(v.labels(), l)));
        PruneVolumesHandler.Pruned pruned = prune.handle(selected, request.commandContext());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("VolumesDeleted", pruned.names().isEmpty() ? null : pruned.names());
        body.put("SpaceReclaimed", pruned.spaceReclaimed());
        request.json(200, body);
    }

    /**
     * A volume as Docker shows it: times to the second in UTC, as Docker's RFC 3339 text; no labels or options is
     * null, as Docker answers (checked against the Docker peer).
     */
    static Map<String, Object> json(VolumeView v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("CreatedAt", v.createdAt().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("Driver", v.driver());
        m.put("Labels", v.labels().isEmpty() ? null : new TreeMap<>(v.labels()));
        m.put("Mountpoint", v.mountpoint());
        m.put("Name", v.name());
        m.put("Options", v.options().isEmpty() ? null : new TreeMap<>(v.options()));
        m.put("Scope", "local");
        return m;
    }

    VolumeDrivers drivers() {
        return drivers;
    }
}
