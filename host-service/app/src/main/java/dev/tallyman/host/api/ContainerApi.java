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
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tallyman.runtime.attach.AttachOutput;
import dev.tallyman.runtime.attach.AttachSession;
import dev.tallyman.runtime.attach.DetachFilter;
import dev.tallyman.runtime.attach.DetachKeys;
import dev.tallyman.runtime.cgroups.DockerStats;
import dev.tallyman.runtime.cgroups.StatsSample;
import dev.tallyman.runtime.logs.ContainerLogReader;
import dev.tallyman.runtime.logs.JsonFileLogReader;
import dev.tallyman.runtime.top.ContainerTopException;
import dev.tallyman.runtime.top.ProcessTable;
import dev.tallyman.runtime.logs.LogEntry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import dev.tallyman.host.runtime.PendingAttaches;
import java.util.function.Consumer;

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
    private final ContainerLogReader logs = new ContainerLogReader();
    private final JsonFileLogReader jsonLogs = new JsonFileLogReader();
    private final ContainerTools tools;
    private final String storageDriver;
    private final Clock clock;
    private final dev.tallyman.spi.storage.StorageDriver storage;
    private final dev.tallyman.host.commands.images.ImageLookup lookup;

    public ContainerApi(Projections projections, ContainerFinder finder, ContainerHandlers handlers, ContainerTools tools,
                        ContainerWaits waits, ContainerLauncher launcher,
                        dev.tallyman.spi.storage.StorageDriver storage, dev.tallyman.host.commands.images.ImageLookup lookup,
                        Clock clock) {
        this.storage = storage;
        this.lookup = lookup;
        this.projections = projections;
        this.finder = finder;
        this.handlers = handlers;
        this.tools = tools;
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
        router.post("/containers/:name/attach", this::attach);
        router.get("/containers/:name/logs", this::logs);
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
        router.post("/containers/:name/resize", this::resize);
        router.get("/containers/:name/top", this::top);
        router.get("/containers/:name/stats", this::stats);
    }

    private void create(ApiRequest request) {
        ContainerCreateBody body = request.body(ContainerCreateBody.class);
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
                host.logConfig() == null || host.logConfig().config() == null ? Map.of() : host.logConfig().config(),
                body.stdinOnce(),
                ContainerNetworkJson.endpointsOf(body),
                ContainerNetworkJson.portBindingsOf(host),
                host.publishAllPorts(),
                body.exposedPorts() == null ? List.of() : List.copyOf(body.exposedPorts().keySet()),
                MountJson.requested(body, host),
                host.volumesFrom() == null ? List.of() : host.volumesFrom());
        String id = create.handle(command, CreateOptionsJson.optionsOf(body, host), request.commandContext());
        if (host.consoleSize() != null && host.consoleSize().size() == 2) {
            launcher.consoleSize(id, host.consoleSize().get(0), host.consoleSize().get(1));
        }
        request.json(201, Map.of("Id", id, "Warnings", List.of()));
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

    private static final java.util.Set<String> PS_FILTERS = java.util.Set.of("status", "name", "id", "label", "ancestor",
            "exited", "before", "since", "network", "volume", "health", "isolation", "publish", "expose", "is-task");

    /** docker ps: -a, -n, -l, -s and Docker's filters, newest first. */
    private void list(ApiRequest request) {
        boolean all = request.flag("all");
        int limit = request.intQuery("limit", -1);
        boolean latest = request.flag("latest");
        boolean size = request.flag("size");
        Filters filters = Filters.parse(request.query("filters", ""), request.mapper(), PS_FILTERS);
        for (String status : filters.get("status")) {
            if (!java.util.Set.of("created", "restarting", "running", "removing", "paused", "exited", "dead").contains(status)) {
                throw EngineException.invalid("invalid filter 'status=" + status + "'");
            }
        }
        Instant now = clock.instant();
        List<ContainerView> everything = projections.read(p -> List.copyOf(p.containers().all())).stream()
                .sorted(Comparator.comparing(ContainerView::created).reversed())
                .toList();
        Optional<Instant> before = filters.get("before").stream().findFirst().map(ref -> finder.require(ref).created());
        Optional<Instant> since = filters.get("since").stream().findFirst().map(ref -> finder.require(ref).created());
        // A status or exited filter shows stopped containers without -a, as Docker does.
        boolean showStopped = all || limit > 0 || latest || filters.has("status") || filters.has("exited");
        List<ContainerView> containers = everything.stream()
                .filter(c -> showStopped || c.isRunning())
                .filter(c -> filters.matchesAny("status", st -> st.equals(c.state().dockerStatus())))
                .filter(c -> filters.matchesAny("name", n -> java.util.regex.Pattern.compile(n.startsWith("/") ? n.substring(1) : n)
                        .matcher(c.name()).find()))
                .filter(c -> filters.matchesAny("id", c.id()::startsWith))
                .filter(c -> filters.matchesAny("label", l -> labelMatches(c.spec().labels(), l)))
                .filter(c -> filters.matchesAny("ancestor", a -> ancestorMatches(c, a)))
                .filter(c -> filters.matchesAny("exited", e -> c.state() == ContainerState.EXITED && e.equals(Integer.toString(c.exitCode()))))
                .filter(c -> filters.matchesAny("network", n -> n.equals(c.spec().networkMode())
                        || networksOf(c).stream().anyMatch(v -> v.name().equals(n) || v.id().startsWith(n))))
                .filter(c -> filters.matchesAny("publish", pub -> ContainerNetworkJson.published(c, networksOf(c)).stream()
                        .anyMatch(p -> ContainerNetworkJson.portMatches(pub, p.containerPort(), p.protocol()))))
                .filter(c -> filters.matchesAny("expose", exp -> c.spec().exposedPorts().stream()
                        .anyMatch(p -> ContainerNetworkJson.portMatches(exp, p))))
                .filter(c -> filters.matchesAny("volume", v -> dev.tallyman.host.commands.volumes.VolumeUsers.matchesFilter(c, v)))
                .filter(c -> filters.matchesAny("health", h -> h.equals(HealthJson.filterValue(healthOf(c)))))
                .filter(c -> before.map(b -> c.created().isBefore(b)).orElse(true))
                .filter(c -> since.map(b -> c.created().isAfter(b)).orElse(true))
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

    static boolean labelMatches(Map<String, String> labels, String filter) {
        int eq = filter.indexOf('=');
        if (eq < 0) {
            return labels.containsKey(filter);
        }
        return filter.substring(eq + 1).equals(labels.get(filter.substring(0, eq)));
    }

    /** ancestor=busybox, busybox:latest, or an image id (prefix): the container's image. */
    private boolean ancestorMatches(ContainerView c, String ancestor) {
        if (c.spec().imageId().replace("sha256:", "").startsWith(ancestor.replace("sha256:", ""))) {
            return true;
        }
        return lookup.find(ancestor).map(i -> i.id().equals(c.spec().imageId())).orElse(false);
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
        start.handle(request.path("name"), request.commandContext());
        request.noContent();
    }

    private void kill(ApiRequest request) {
        kill.handle(request.path("name"), request.query("signal", "KILL"), request.commandContext());
        request.noContent();
    }

    private void stop(ApiRequest request) {
        stop.handle(request.path("name"), stopTimeout(request), request.query("signal", ""), request.commandContext());
        request.noContent();
    }

    private void restart(ApiRequest request) {
        try {
            stop.handle(request.path("name"), stopTimeout(request), request.query("signal", ""), request.commandContext());
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
                && filters.matchesAny("label", l -> labelMatches(c.spec().labels(), l))
                && (!filters.has("label!") || filters.get("label!").stream().noneMatch(l -> labelMatches(c.spec().labels(), l)));
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
        return parseTime(text);
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
        ContainerWaits.Condition condition = switch (request.query("condition", "not-running")) {
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
    private void attach(ApiRequest request) throws Exception {
        ContainerView c = finder.require(request.path("name"));
        boolean tty = c.spec().tty();
        handlers.attach().attached(c.id(), request.flag("stdin") && c.spec().openStdin(), request.commandContext());
        if (request.flag("logs") && !request.flag("stream")) {
            replayLogs(request, c);
            return;
        }
        if ((request.flag("stdin") && c.spec().openStdin()) || tty) {
            attachSession(request, c);
            return;
        }
        boolean stream = request.flag("stream");
        boolean wantOut = request.flag("stdout");
        boolean wantErr = request.flag("stderr");
        Path log = launcher.logPath(c.id());
        boolean fromStart = !Files.exists(log);
        CompletableFuture<ContainerWaits.Exit> exit = waits.register(projections, c.id(),
                c.isRunning() ? ContainerWaits.Condition.NOT_RUNNING : ContainerWaits.Condition.NEXT_EXIT);
        Hijack hijack = Hijack.start(request, Frames.contentType(tty, request.version()));
        AtomicBoolean gone = hijack.gone();
        Consumer<Buffer> out = hijack::write;
        if (stream) {
            logs.follow(log, fromStart, entry -> {
                if ((entry.stream() == LogEntry.Stream.STDOUT && wantOut) || (entry.stream() == LogEntry.Stream.STDERR && wantErr)) {
                    out.accept(Frames.frame(streamOf(entry), entry.bytes()));
                }
            }, () -> !exit.isDone() && !gone.get());
        }
        hijack.end();
    }

    /**
     * attach with logs=1 and stream=0: the output so far, from the json-file log, then the end, as Docker answers
     * (docker-py's {@code attach(logs=True, stream=False)} reads it so). With --log-driver none there is none.
     */
    private void replayLogs(ApiRequest request, ContainerView c) {
        boolean tty = c.spec().tty();
        boolean wantOut = request.flag("stdout");
        boolean wantErr = request.flag("stderr");
        Hijack hijack = Hijack.start(request, Frames.contentType(tty, request.version()));
        // docker-py parses the 101 through a buffered reader and then reads the raw socket: bytes that arrive
        // together with the headers sit in that buffer and are lost. A replay is ready at once (a stream is not),
        // so give the client a moment to finish with the headers.
        sleepQuietly(100);
        if (c.spec().options().keepsLogs()) {
            for (LogEntry entry : jsonLogs.read(launcher.jsonLogPath(c.id()), Optional.empty(), Optional.empty(), OptionalInt.empty())) {
                if ((entry.stream() == LogEntry.Stream.STDOUT && wantOut) || (entry.stream() == LogEntry.Stream.STDERR && wantErr)) {
                    hijack.write(tty ? Buffer.buffer(entry.bytes()) : Frames.frame(streamOf(entry), entry.bytes()));
                }
            }
        }
        hijack.end();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Attach through conmon's attach socket: what stdin and terminals need. The client's bytes go to the container
     * (through the detach-key filter when it has a terminal); its output comes back raw (terminal) or framed.
     */
    private void attachSession(ApiRequest request, ContainerView c) throws Exception {
        boolean tty = c.spec().tty();
        boolean wantIn = request.flag("stdin") && c.spec().openStdin();
        boolean wantOut = request.flag("stdout") || !request.query("stdout").isPresent();
        boolean wantErr = request.flag("stderr") || !request.query("stderr").isPresent();
        // Before start the attach socket does not exist yet: wait for runc create, which the start the client
        // sends next will do, and connect before the process runs.
        PendingAttaches.Waiter waiter = c.isRunning() ? null : launcher.attaches().register(c.id());
        DetachFilter detach = tty ? new DetachFilter(DetachKeys.parse(request.query("detachKeys", ""))) : null;
        AtomicBoolean detached = new AtomicBoolean();
        AtomicReference<AttachSession> sessionRef = new AtomicReference<>();
        java.util.Queue<byte[]> early = new java.util.concurrent.ConcurrentLinkedQueue<>();
        AtomicBoolean inputEnded = new AtomicBoolean();
        Hijack hijack = Hijack.start(request, Frames.contentType(tty, request.version()),
                wantIn ? bytes -> {
                    AttachSession s = sessionRef.get();
                    if (s == null) {
                        early.add(bytes);
                    } else {
                        forwardInput(s, detach, detached, bytes);
                    }
                } : null,
                () -> {
                    inputEnded.set(true);
                    AttachSession s = sessionRef.get();
                    if (wantIn && !detached.get() && s != null) {
                        s.closeStdin();
                    }
                });
        try {
            if (waiter != null && !waiter.awaitCreated(10, java.util.concurrent.TimeUnit.MINUTES)) {
                hijack.end();
                return;
            }
            try (AttachSession session = tools.attach().open(c.id())) {
                sessionRef.set(session);
                if (waiter != null) {
                    waiter.connected();
                }
                for (byte[] bytes; (bytes = early.poll()) != null; ) {
                    forwardInput(session, detach, detached, bytes);
                }
                if (wantIn && inputEnded.get() && !detached.get()) {
                    session.closeStdin();
                }
                Optional<AttachOutput> output;
                while (!detached.get() && !hijack.gone().get() && (output = session.read()).isPresent()) {
                    AttachOutput o = output.get();
                    boolean wanted = o.stream() == AttachOutput.Stream.STDOUT ? wantOut : wantErr;
                    if (wanted) {
                        hijack.write(tty ? Buffer.buffer(o.bytes())
                                : Frames.frame(o.stream() == AttachOutput.Stream.STDOUT ? Frames.STDOUT : Frames.STDERR, o.bytes()));
                    }
                }
            }
        } finally {
            if (waiter != null) {
                waiter.connected();
                launcher.attaches().forget(c.id(), waiter);
            }
            hijack.end();
        }
    }

    /** Stdin to the container, watching for the detach keys; on them the session ends and the container runs on. */
    private static void forwardInput(AttachSession session, DetachFilter detach, AtomicBoolean detached, byte[] bytes) {
        if (detached.get()) {
            return;
        }
        if (detach == null) {
            session.writeStdin(bytes);
            return;
        }
        DetachFilter.Filtered filtered = detach.filter(bytes);
        if (filtered.bytes().length > 0) {
            session.writeStdin(filtered.bytes());
        }
        if (filtered.detached()) {
            detached.set(true);
            session.close();
        }
    }

    /** docker resize and the CLI's resize after attach: the terminal's rows and columns. */
    private void resize(ApiRequest request) {
        ContainerView c = finder.require(request.path("name"));
        if (!c.isRunning()) {
            throw EngineException.conflict("Container " + c.id() + " is not running");
        }
        int rows = request.intQuery("h", 0);
        int cols = request.intQuery("w", 0);
        if (rows > 0 && cols > 0 && c.spec().tty()) {
            handlers.attach().resize(c.id(), rows, cols, request.commandContext());
        }
        request.response().setStatusCode(200).end();
    }

    private void top(ApiRequest request) {
        ContainerView c = finder.require(request.path("name"));
        if (!c.isRunning()) {
            throw EngineException.conflict("Container " + c.id() + " is not running");
        }
        try {
            ProcessTable table = tools.top().top(c.id(), request.query("ps_args", ""));
            request.json(200, Map.of("Titles", table.titles(), "Processes", table.processes()));
        } catch (ContainerTopException e) {
            throw EngineException.system(e.getMessage(), e);
        }
    }

    /** docker stats: one sample (stream=false) or one a second until the client goes or the container stops. */
    private void stats(ApiRequest request) throws Exception {
        ContainerView c = finder.require(request.path("name"));
        boolean stream = !request.query("stream").isPresent() || request.flag("stream");
        boolean oneShot = request.flag("one-shot");
        boolean networks = !c.spec().networkMode().equals("host");
        HttpServerResponse response = request.response();
        response.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/json");
        AtomicBoolean gone = new AtomicBoolean();
        response.closeHandler(v -> gone.set(true));
        Optional<StatsSample> previous = Optional.empty();
        if (!stream && !oneShot && c.isRunning()) {
            // docker stats --no-stream shows CPU %, which needs two samples a moment apart, as Docker takes them.
            previous = tools.runtime().stats(c.id());
            Thread.sleep(1000);
        }
        do {
            Optional<StatsSample> current = tools.runtime().stats(c.id());
            ObjectNode body;
            if (current.isPresent()) {
                // one-shot: a single sample without the previous one, so no CPU delta, as Docker answers it.
                body = DockerStats.json(c.id(), "/" + c.name(), current.get(), oneShot ? Optional.empty() : previous, networks);
            } else {
                body = request.mapper().createObjectNode().put("id", c.id()).put("name", "/" + c.name())
                        .put("read", DockerStats.ZERO_TIME).put("preread", DockerStats.ZERO_TIME);
            }
            response.write(request.mapper().writeValueAsString(body) + "\n");
            previous = current;
            if (!stream || current.isEmpty()) {
                break;
            }
            Thread.sleep(1000);
        } while (!gone.get());
        if (!gone.get()) {
            response.end();
        }
    }

    private void logs(ApiRequest request) {
        ContainerView c = finder.require(request.path("name"));
        if (!c.spec().options().keepsLogs()) {
            // Docker's ErrReadLogsNotSupported, a 501: --log-driver none keeps nothing to read.
            throw new EngineException(EngineException.Kind.NOT_IMPLEMENTED, "configured logging driver does not support reading");
        }
        boolean wantOut = request.flag("stdout");
        boolean wantErr = request.flag("stderr");
        if (!wantOut && !wantErr) {
            throw EngineException.invalid("Bad parameters: you must choose at least one stream");
        }
        boolean timestamps = request.flag("timestamps");
        boolean follow = request.flag("follow");
        boolean tty = c.spec().tty();
        Optional<Instant> since = request.query("since").filter(s -> !s.isEmpty() && !s.equals("0")).map(ContainerApi::parseTime);
        Optional<Instant> until = request.query("until").filter(s -> !s.isEmpty() && !s.equals("0")).map(ContainerApi::parseTime);
        String tailText = request.query("tail", "all");
        OptionalInt tail = tailText.equals("all") || tailText.isEmpty() ? OptionalInt.empty() : OptionalInt.of(parseTail(tailText));
        HttpServerResponse response = request.response();
        response.setChunked(true).setStatusCode(200).putHeader("Content-Type", Frames.contentType(tty, request.version()));
        boolean details = request.flag("details");
        Consumer<LogEntry> write = entry -> {
            if ((entry.stream() == LogEntry.Stream.STDOUT && wantOut) || (entry.stream() == LogEntry.Stream.STDERR && wantErr)) {
                byte[] bytes = entry.bytes();
                if (details) {
                    // --details: the log's attributes (from --log-opt labels/env) before each line, as Docker prints them.
                    // Sorted by key, as Docker writes them.
                    String attrs = new java.util.TreeMap<>(entry.attrs()).entrySet().stream().map(a -> a.getKey() + "=" + a.getValue())
                            .collect(java.util.stream.Collectors.joining(","));
                    byte[] prefix = (attrs + " ").getBytes(StandardCharsets.UTF_8);
                    byte[] joined = new byte[prefix.length + bytes.length];
                    System.arraycopy(prefix, 0, joined, 0, prefix.length);
                    System.arraycopy(bytes, 0, joined, prefix.length, bytes.length);
                    bytes = joined;
                }
                if (timestamps) {
                    byte[] stamp = (DockerTime.rfc3339(entry.time()) + " ").getBytes(StandardCharsets.UTF_8);
                    byte[] joined = new byte[stamp.length + bytes.length];
                    System.arraycopy(stamp, 0, joined, 0, stamp.length);
                    System.arraycopy(bytes, 0, joined, stamp.length, bytes.length);
                    bytes = joined;
                }
                response.write(tty ? Buffer.buffer(bytes) : Frames.frame(streamOf(entry), bytes));
            }
        };
        Path log = launcher.jsonLogPath(c.id());
        if (follow && c.isRunning() && until.isEmpty()) {
            CompletableFuture<ContainerWaits.Exit> exit = waits.register(projections, c.id(), ContainerWaits.Condition.NOT_RUNNING);
            AtomicBoolean gone = new AtomicBoolean();
            response.closeHandler(v -> gone.set(true));
            // The shipper drains the spool before the death is recorded, so the last lines are in when exit completes.
            jsonLogs.follow(log, since, until, tail, write, () -> !exit.isDone() && !gone.get());
        } else {
            jsonLogs.read(log, since, until, tail).forEach(write);
        }
        response.end();
    }

    private static int streamOf(LogEntry entry) {
        return entry.stream() == LogEntry.Stream.STDOUT ? Frames.STDOUT : Frames.STDERR;
    }

    private static int parseTail(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid value for tail: " + text);
        }
    }

    /** Docker's since/until: unix seconds with optional fraction, or an RFC 3339 time. */
    static Instant parseTime(String text) {
        try {
            if (text.matches("[0-9]+(\\.[0-9]+)?")) {
                String[] parts = text.split("\\.");
                long seconds = Long.parseLong(parts[0]);
                long nanos = parts.length > 1 ? Long.parseLong((parts[1] + "000000000").substring(0, 9)) : 0;
                return Instant.ofEpochSecond(seconds, nanos);
            }
            return Instant.parse(text);
        } catch (RuntimeException e) {
            throw EngineException.invalid("invalid time value: " + text);
        }
    }
}
