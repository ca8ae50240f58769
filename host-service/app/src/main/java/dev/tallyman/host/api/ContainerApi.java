package dev.tallyman.host.api;

import dev.tallyman.host.api.json.ContainerCreateBody;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.commands.containers.CreateContainer;
import dev.tallyman.host.commands.containers.CreateContainerHandler;
import dev.tallyman.host.commands.containers.KillContainerHandler;
import dev.tallyman.host.commands.containers.RemoveContainerHandler;
import dev.tallyman.host.commands.containers.StartContainerHandler;
import dev.tallyman.host.commands.containers.StopContainerHandler;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.ContainerWaits;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.runtime.ContainerLauncher;
import dev.tallyman.runtime.logs.ContainerLogReader;
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
    private final ContainerWaits waits;
    private final ContainerLauncher launcher;
    private final ContainerLogReader logs = new ContainerLogReader();
    private final String storageDriver;
    private final Clock clock;

    public ContainerApi(Projections projections, ContainerFinder finder, CreateContainerHandler create,
                        StartContainerHandler start, KillContainerHandler kill, StopContainerHandler stop,
                        RemoveContainerHandler remove, ContainerWaits waits, ContainerLauncher launcher,
                        String storageDriver, Clock clock) {
        this.projections = projections;
        this.finder = finder;
        this.create = create;
        this.start = start;
        this.kill = kill;
        this.stop = stop;
        this.remove = remove;
        this.waits = waits;
        this.launcher = launcher;
        this.storageDriver = storageDriver;
        this.clock = clock;
    }

    public void register(ApiRouter router) {
        router.postJson("/containers/create", this::create);
        router.get("/containers/json", this::list);
        router.get("/containers/:name/json", this::inspect);
        router.post("/containers/:name/start", this::start);
        router.post("/containers/:name/kill", this::kill);
        router.post("/containers/:name/stop", this::stop);
        router.post("/containers/:name/restart", this::restart);
        router.post("/containers/:name/wait", this::await);
        router.post("/containers/:name/attach", this::attach);
        router.get("/containers/:name/logs", this::logs);
        router.delete("/containers/:name", this::remove);
    }

    private void create(ApiRequest request) {
        ContainerCreateBody body = request.body(ContainerCreateBody.class);
        if (body.image() == null || body.image().isEmpty()) {
            throw EngineException.invalid("config cannot be empty in order to create a container");
        }
        ContainerCreateBody.HostConfig host = body.hostConfig() == null
                ? new ContainerCreateBody.HostConfig("", false, false, false, List.of(), List.of(), List.of(), null)
                : body.hostConfig();
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
                body.openStdin());
        String id = create.handle(command, request.commandContext());
        request.json(201, Map.of("Id", id, "Warnings", List.of()));
    }

    private void list(ApiRequest request) {
        boolean all = request.flag("all");
        int limit = request.intQuery("limit", -1);
        boolean latest = request.flag("latest");
        Instant now = clock.instant();
        List<ContainerView> containers = projections.read(p -> List.copyOf(p.containers().all())).stream()
                .filter(c -> all || limit > 0 || latest || c.isRunning())
                .sorted(Comparator.comparing(ContainerView::created).reversed())
                .toList();
        if (latest) {
            containers = containers.stream().limit(1).toList();
        } else if (limit > 0) {
            containers = containers.stream().limit(limit).toList();
        }
        request.json(200, containers.stream().map(c -> ContainerJson.summary(c, now)).toList());
    }

    private void inspect(ApiRequest request) {
        ContainerView c = finder.require(request.path("name"));
        request.json(200, ContainerJson.inspect(c, launcher.logPath(c.id()).toString(),
                launcher.rootfs(c.id()).toString(), storageDriver));
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

    private static int stopTimeout(ApiRequest request) {
        return request.intQuery("t", request.intQuery("timeout", 10));
    }

    private void remove(ApiRequest request) {
        remove.handle(request.path("name"), request.flag("force"), request.commandContext());
        request.noContent();
    }

    /** docker wait, and the CLI's wait during docker run: answers when the condition is met. */
    private void await(ApiRequest request) throws Exception {
        ContainerView c = finder.require(request.path("name"));
        ContainerWaits.Condition condition = switch (request.query("condition", "not-running")) {
            case "", "not-running" -> ContainerWaits.Condition.NOT_RUNNING;
            case "next-exit" -> ContainerWaits.Condition.NEXT_EXIT;
            case "removed" -> ContainerWaits.Condition.REMOVED;
            default -> throw EngineException.invalid("invalid condition: " + request.query("condition", ""));
        };
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
        boolean stream = request.flag("stream");
        boolean wantOut = request.flag("stdout");
        boolean wantErr = request.flag("stderr");
        boolean tty = c.spec().tty();
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
                    out.accept(tty ? Buffer.buffer(entry.bytes()) : Frames.frame(streamOf(entry), entry.bytes()));
                }
            }, () -> !exit.isDone() && !gone.get());
        }
        hijack.end();
    }

    private void logs(ApiRequest request) {
        ContainerView c = finder.require(request.path("name"));
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
        Consumer<LogEntry> write = entry -> {
            if ((entry.stream() == LogEntry.Stream.STDOUT && wantOut) || (entry.stream() == LogEntry.Stream.STDERR && wantErr)) {
                byte[] bytes = entry.bytes();
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
        Path log = launcher.logPath(c.id());
        logs.read(log, since, until, tail).forEach(write);
        if (follow && c.isRunning() && until.isEmpty()) {
            CompletableFuture<ContainerWaits.Exit> exit = waits.register(projections, c.id(), ContainerWaits.Condition.NOT_RUNNING);
            AtomicBoolean gone = new AtomicBoolean();
            response.closeHandler(v -> gone.set(true));
            logs.follow(log, false, write, () -> !exit.isDone() && !gone.get());
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
