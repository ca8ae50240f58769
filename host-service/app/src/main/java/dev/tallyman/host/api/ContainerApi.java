package dev.tallyman.host.api;

import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.host.api.json.ContainerCreateBody;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.commands.containers.CreateContainer;
import dev.tallyman.host.commands.containers.ContainerHandlers;
import dev.tallyman.host.commands.containers.CreateContainerHandler;
import dev.tallyman.host.commands.containers.PruneContainersHandler;
import dev.tallyman.host.commands.containers.KillContainerHandler;
import dev.tallyman.host.commands.containers.RemoveContainerHandler;
import dev.tallyman.host.commands.containers.StartContainerHandler;
import dev.tallyman.host.commands.containers.StopContainerHandler;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.ContainerWaits;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.runtime.ContainerLauncher;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** The /containers routes: translates Docker's HTTP shapes to commands and queries, and streams output. */
public final class ContainerApi {
    private final Projections projections;
    private final ContainerFinder finder;
    private final CreateContainerHandler create;
    private final StartContainerHandler start;
    private final KillContainerHandler kill;
    private final StopContainerHandler stop;
    private final RemoveContainerHandler remove;
    private final ContainerHandlers handlers;
    private final ContainerWaits waits;
    private final ContainerLauncher launcher;
    private final String storageDriver;
    private final Clock clock;
    private final dev.tallyman.spi.storage.StorageDriver storage;
    private final dev.tallyman.host.commands.images.ImageLookup lookup;
    private dev.tallyman.host.commands.containers.LogDefaults logDefaults =
            dev.tallyman.host.commands.containers.LogDefaults.DOCKER;

    public ContainerApi(Projections projections, ContainerFinder finder, ContainerHandlers handlers,
                        ContainerWaits waits, ContainerLauncher launcher,
                        dev.tallyman.spi.storage.StorageDriver storage, dev.tallyman.host.commands.images.ImageLookup lookup,
                        Clock clock) {
        this.storage = storage;
        this.lookup = lookup;
        this.projections = projections;
        this.finder = finder;
        this.handlers = handlers;
        this.create = handlers.create();
        this.start = handlers.start();
        this.kill = handlers.kill();
        this.stop = handlers.stop();
        this.remove = handlers.remove();
        this.waits = waits;
        this.launcher = launcher;
        this.storageDriver = storage.name();
        this.clock = clock;
    }

    public void register(ApiRouter router) {
        router.postJson("/containers/create", this::create);
        router.get("/containers/json", this::list);
        router.get("/containers/:name/json", this::inspect);
        // A link's full name ("web/alias") names the linked container, slash included.
        router.get("/containers/:name*/json", this::inspect);
        router.post("/containers/:name/start", this::start);
        router.post("/containers/:name/kill", this::kill);
        router.post("/containers/:name/stop", this::stop);
        router.post("/containers/:name/restart", this::restart);
        router.post("/containers/:name/wait", this::await);
        router.delete("/containers/:name", this::remove);
        // docker rm --link names a link as "web/alias", slash included.
        router.delete("/containers/:name*", this::remove);
        router.post("/containers/:name/rename", r -> {
            handlers.rename().handle(r.path("name"), r.query("name", ""), r.commandContext());
            r.noContent();
        });
        router.post("/containers/:name/pause", r -> {
            handlers.pause().pause(r.path("name"), r.commandContext());
            r.noContent();
        });
        router.post("/containers/:name/unpause", r -> {
            handlers.pause().unpause(r.path("name"), r.commandContext());
            r.noContent();
        });
        router.post("/containers/prune", this::prune);
    }

    private void create(ApiRequest request) {
        ContainerRequestsByVersion.checkCreatePlatform(request);
        List<String> warnings = new java.util.ArrayList<>();
        ContainerCreateBody body = request.body(ContainerCreateBody.class,
                tree -> ContainerRequestsByVersion.shapeCreate(tree, request.version(), warnings));
        if (body.image() == null || body.image().isEmpty()) {
            throw EngineException.invalid("config cannot be empty in order to create a container");
        }
        ContainerCreateBody.HostConfig host = body.hostConfig() == null ? ContainerCreateBody.HostConfig.empty() : body.hostConfig();
        CreateContainer command = new CreateContainer(
                request.query("name").filter(n -> !n.isEmpty()),
                body.image(),
                Optional.ofNullable(body.entrypoint()),
                Optional.ofNullable(body.cmd()),
                body.env() == null ? List.of() : body.env(),
                body.workingDir(),
                Optional.ofNullable(body.user()),
                body.hostname(),
                body.labels() == null ? Map.of() : body.labels(),
                host.networkMode(),
                host.autoRemove(),
                body.tty(),
                body.openStdin(),
                host.restartPolicy() == null ? ContainerSpec.RestartPolicy.NO
                        : new ContainerSpec.RestartPolicy(host.restartPolicy().name() == null || host.restartPolicy().name().isEmpty()
                                ? "no" : host.restartPolicy().name(), host.restartPolicy().maximumRetryCount()),
                Optional.ofNullable(body.stopSignal()),
                Optional.ofNullable(body.stopTimeout()),
                limitsOf(host),
                new ContainerSpec.ContainerSecurity(host.privileged(), nullToEmpty(host.capAdd()), nullToEmpty(host.capDrop()),
                        host.readonlyRootfs(), nullToEmpty(host.securityOpt()).stream().anyMatch(ContainerApi::isNoNewPrivileges),
                        Boolean.TRUE.equals(host.init())),
                host.tmpfs() == null ? Map.of() : host.tmpfs(),
                logDefaults.optionsFor(requestedLogDriver(host),
                        host.logConfig() == null || host.logConfig().config() == null ? Map.of() : host.logConfig().config()),
                body.stdinOnce(),
                ContainerNetworkJson.endpointsOf(body),
                ContainerNetworkJson.portBindingsOf(host),
                host.publishAllPorts(),
                body.exposedPorts() == null ? List.of() : List.copyOf(body.exposedPorts().keySet()),
                MountJson.requested(body, host),
                host.volumesFrom() == null ? List.of() : host.volumesFrom());
        String id = create.handle(command, CreateOptionsJson.optionsOf(body, host, logDefaults.driverFor(requestedLogDriver(host))), request.commandContext());
        if (host.consoleSize() != null && host.consoleSize().size() == 2) {
            launcher.consoleSize(id, host.consoleSize().get(0), host.consoleSize().get(1));
        }
        request.json(201, Map.of("Id", id, "Warnings", warnings));
    }

    /** The service's log driver and options (daemon.json), for creates that name none of their own. */
    public ContainerApi withLogDefaults(dev.tallyman.host.commands.containers.LogDefaults defaults) {
        this.logDefaults = defaults;
        return this;
    }

    private static String requestedLogDriver(ContainerCreateBody.HostConfig host) {
        return host.logConfig() == null ? null : host.logConfig().type();
    }

    /** --cpus arrives as NanoCpus; older clients send CpuQuota/CpuPeriod, which are folded into the same number. */
    private static ContainerSpec.ContainerLimits limitsOf(ContainerCreateBody.HostConfig host) {
        long nanoCpus = host.nanoCpus();
        if (nanoCpus == 0 && host.cpuQuota() > 0) {
            long period = host.cpuPeriod() > 0 ? host.cpuPeriod() : 100_000;
            nanoCpus = host.cpuQuota() * 1_000_000_000L / period;
        }
        List<String> ulimits = nullToEmpty(host.ulimits()).stream()
                .map(u -> u.name() + "=" + u.soft() + ":" + u.hard()).toList();
        return new ContainerSpec.ContainerLimits(host.memory(), host.memorySwap(), nanoCpus, host.cpuShares(),
                host.cpusetCpus(), host.pidsLimit() == null ? 0 : host.pidsLimit(), ulimits);
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static boolean isNoNewPrivileges(String option) {
        String o = option.replace('=', ':');
        return o.equals("no-new-privileges") || o.equals("no-new-privileges:true");
    }

    /** docker ps: -a, -n, -l, -s and Docker's filters, newest first. */
    private void list(ApiRequest request) {
        boolean all = request.flag("all");
        int limit = request.intQuery("limit", -1);
        boolean latest = request.flag("latest");
        boolean size = request.flag("size");
        ContainerPsFilter filter = ContainerPsFilter.parse(request.query("filters", ""), request.mapper(), finder, lookup,
                this::networksOf, this::healthOf);
        Instant now = clock.instant();
        List<ContainerView> everything = projections.read(p -> List.copyOf(p.containers().all())).stream()
                .sorted(Comparator.comparing(ContainerView::created).reversed())
                .toList();
        // A status or exited filter shows stopped containers without -a, as Docker does.
        boolean showStopped = all || limit > 0 || latest || filter.asksForStopped();
        List<ContainerView> containers = everything.stream()
                .filter(c -> showStopped || c.isRunning())
                .filter(filter::matches)
                .toList();
        if (latest) {
            containers = containers.stream().limit(1).toList();
        } else if (limit > 0) {
            containers = containers.stream().limit(limit).toList();
        }
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        for (ContainerView c : containers) {
            Map<String, Object> row = ContainerJson.summary(c, now);
            LinkJson.decorateSummary(row, c, projections);
            ContainerNetworkJson.decorateSummary(row, c, networksOf(c));
            row.put("Mounts", MountJson.points(c.spec(), this::volume));
            if (c.state() == ContainerState.RUNNING && row.get("Status") instanceof String st) {
                row.put("Status", st + HealthJson.statusSuffix(healthOf(c)));
            }
            if (size) {
                long rw = storage.inspect(dev.tallyman.spi.storage.LayerId.of(c.id())).map(i -> i.sizeBytes()).orElse(0L);
                long image = projections.read(p -> p.images().byId(c.spec().imageId()).map(i -> i.sizeBytes()).orElse(0L));
                row.put("SizeRw", rw);
                row.put("SizeRootFs", rw + image);
            }
            rows.add(row);
        }
        request.json(200, rows);
    }

    private void inspect(ApiRequest request) {
        ContainerView c = finder.require(request.path("name"));
        Map<String, Object> body = ContainerJson.inspect(c, launcher.jsonLogPath(c.id()).toString(),
                launcher.rootfs(c.id()).toString(), storageDriver, List.of());
        ContainerNetworkJson.decorateInspect(body, c, networksOf(c), launcher.bundle(c.id()));
        MountJson.decorate(body, c.spec(), this::volume);
        InspectDefaults.fill(body, c.spec());
        HealthJson.decorateInspect(body, c.spec().options().health(), healthOf(c));
        LinkJson.decorateInspect(body, c, projections);
        ContainerFieldsByVersion.shapeInspect(body, request.version(), c.id());
        request.json(200, body);
    }

    private Optional<dev.tallyman.host.projections.HealthProjection.Health> healthOf(ContainerView c) {
        return projections.read(p -> p.health().of(c.id()));
    }

    /** The networks the container belongs to, in the order it joined them. */
    private List<dev.tallyman.host.projections.NetworkView> networksOf(ContainerView c) {
        return projections.read(p -> p.networks().networksOf(c.id()));
    }

    private Optional<dev.tallyman.host.projections.VolumeView> volume(String name) {
        return projections.read(p -> p.volumes().byName(name));
    }

    private void start(ApiRequest request) {
        ContainerRequestsByVersion.checkStartBody(request);
        start.handle(request.path("name"), request.commandContext());
        request.noContent();
    }

    private void kill(ApiRequest request) {
        kill.handle(request.path("name"), request.query("signal", "KILL"), request.commandContext());
        request.noContent();
    }

    private void stop(ApiRequest request) {
        stop.handle(request.path("name"), stopTimeout(request), ContainerRequestsByVersion.stopSignal(request), request.commandContext());
        request.noContent();
    }

    private void restart(ApiRequest request) {
        try {
            stop.handle(request.path("name"), stopTimeout(request), ContainerRequestsByVersion.stopSignal(request), request.commandContext());
        } catch (EngineException e) {
            if (e.kind() != EngineException.Kind.NOT_MODIFIED) {
                throw e;
            }
        }
        start.handle(request.path("name"), request.commandContext());
        request.noContent();
    }

    /** docker stop -t: "t" up to API 1.41, "timeout" after; absent means the container's own timeout. */
    private static Optional<Integer> stopTimeout(ApiRequest request) {
        Optional<String> given = request.query("t").or(() -> request.query("timeout")).filter(t -> !t.isBlank());
        return given.map(t -> {
            try {
                return Integer.parseInt(t.trim());
            } catch (NumberFormatException e) {
                throw EngineException.invalid("invalid value for timeout: " + t);
            }
        });
    }

    private void prune(ApiRequest request) {
        Filters filters = Filters.parse(request.query("filters", ""), request.mapper(), java.util.Set.of("until", "label", "label!"));
        java.util.function.Predicate<ContainerView> selected = c ->
                filters.matchesAny("until", u -> c.created().isBefore(untilTime(u)))
                && filters.matchesAny("label", l -> Filters.labelMatches(c.spec().labels(), l))
                && (!filters.has("label!") || filters.get("label!").stream().noneMatch(l -> Filters.labelMatches(c.spec().labels(), l)));
        PruneContainersHandler.Pruned pruned = handlers.prune().handle(selected, request.commandContext());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ContainersDeleted", pruned.ids().isEmpty() ? null : pruned.ids());
        body.put("SpaceReclaimed", pruned.spaceReclaimed());
        request.json(200, body);
    }

    /** Prune's until: a time, or a duration back from now ("10m", "24h"). */
    private Instant untilTime(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)(s|m|h)").matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            java.time.Duration d = switch (m.group(2)) {
                case "s" -> java.time.Duration.ofSeconds(n);
                case "m" -> java.time.Duration.ofMinutes(n);
                default -> java.time.Duration.ofHours(n);
            };
            return clock.instant().minus(d);
        }
        return DockerTime.parseSinceUntil(text);
    }

    private void remove(ApiRequest request) {
        if (request.flag("link") && handlers.removeLink() != null) {
            handlers.removeLink().handle(request.path("name"), request.commandContext());
            request.noContent();
            return;
        }
        remove.handle(request.path("name"), request.flag("force"), request.flag("v"), request.commandContext());
        request.noContent();
    }

    /** docker wait, and the CLI's wait during docker run: answers when the condition is met. */
    private void await(ApiRequest request) throws Exception {
        ContainerWaits.Condition condition = switch (ContainerRequestsByVersion.waitCondition(request)) {
            case "", "not-running" -> ContainerWaits.Condition.NOT_RUNNING;
            case "next-exit" -> ContainerWaits.Condition.NEXT_EXIT;
            case "removed" -> ContainerWaits.Condition.REMOVED;
            default -> throw EngineException.invalid("invalid condition: " + request.query("condition", ""));
        };
        String reference = request.path("name");
        ContainerView c;
        try {
            c = finder.require(reference);
        } catch (EngineException e) {
            Optional<ContainerWaits.Exit> gone = e.kind() == EngineException.Kind.NOT_FOUND
                    && condition == ContainerWaits.Condition.REMOVED ? waits.removedExit(reference) : Optional.empty();
            if (gone.isEmpty()) {
                throw e;
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("StatusCode", gone.get().exitCode());
            answer.put("Error", null);
            request.json(200, answer);
            return;
        }
        CompletableFuture<ContainerWaits.Exit> exit = waits.register(projections, c.id(), condition);
        // The CLI reads the headers before the container ends; send them now so it does not time out.
        HttpServerResponse response = request.response();
        response.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/json");
        response.write("");
        AtomicBoolean gone = new AtomicBoolean();
        response.closeHandler(v -> gone.set(true));
        ContainerWaits.Exit result = null;
        while (result == null && !gone.get()) {
            try {
                result = exit.get(1, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // Check that the client is still there, then wait again.
            }
        }
        if (result == null) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("StatusCode", result.exitCode());
        // The start error already reached the caller through start; repeating it here makes the CLI print it twice.
        body.put("Error", null);
        response.end(request.mapper().writeValueAsString(body) + "\n");
    }

    /**
     * Hijacks the connection (HTTP 101, then raw bytes) and streams the container's output from now until
     * its run ends, framed unless it has a TTY. Standard input is not read yet.
     */
}
