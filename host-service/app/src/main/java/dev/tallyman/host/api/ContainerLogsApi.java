package dev.tallyman.host.api;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.ContainerWaits;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.runtime.ContainerLauncher;
import dev.tallyman.runtime.logs.JsonFileLogReader;
import dev.tallyman.runtime.logs.LogEntry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** docker logs: the json-file log, read or followed, with Docker's since, until, tail, timestamps and details. */
public final class ContainerLogsApi {
    private final Projections projections;
    private final ContainerFinder finder;
    private final ContainerWaits waits;
    private final ContainerLauncher launcher;
    private final JsonFileLogReader jsonLogs = new JsonFileLogReader();

    public ContainerLogsApi(Projections projections, ContainerFinder finder, ContainerWaits waits,
                            ContainerLauncher launcher) {
        this.projections = projections;
        this.finder = finder;
        this.waits = waits;
        this.launcher = launcher;
    }

    public void register(ApiRouter router) {
        router.get("/containers/:name/logs", this::logs);
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
        Optional<Instant> since = request.query("since").filter(s -> !s.isEmpty() && !s.equals("0")).map(DockerTime::parseSinceUntil);
        Optional<Instant> until = request.query("until").filter(s -> !s.isEmpty() && !s.equals("0")).map(DockerTime::parseSinceUntil);
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
                response.write(tty ? Buffer.buffer(bytes) : Frames.frame(Frames.streamOf(entry), bytes));
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

    private static int parseTail(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid value for tail: " + text);
        }
    }
}
