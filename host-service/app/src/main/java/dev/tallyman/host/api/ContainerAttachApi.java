package dev.tallyman.host.api;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.commands.containers.ContainerHandlers;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.ContainerWaits;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.runtime.ContainerLauncher;
import dev.tallyman.host.runtime.PendingAttaches;
import dev.tallyman.runtime.attach.AttachOutput;
import dev.tallyman.runtime.attach.AttachSession;
import dev.tallyman.runtime.attach.DetachFilter;
import dev.tallyman.runtime.attach.DetachKeys;
import dev.tallyman.runtime.logs.ContainerLogReader;
import dev.tallyman.runtime.logs.JsonFileLogReader;
import dev.tallyman.runtime.logs.LogEntry;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * docker attach and the terminal around it: output followed from the log, or an attach session through conmon
 * with stdin and detach keys; resize of the container's terminal. On the record through the attach recorder.
 */
public final class ContainerAttachApi {
    private final Projections projections;
    private final ContainerFinder finder;
    private final ContainerHandlers handlers;
    private final ContainerTools tools;
    private final ContainerWaits waits;
    private final ContainerLauncher launcher;
    private final ContainerLogReader logs = new ContainerLogReader();
    private final JsonFileLogReader jsonLogs = new JsonFileLogReader();

    public ContainerAttachApi(Projections projections, ContainerFinder finder, ContainerHandlers handlers,
                              ContainerTools tools, ContainerWaits waits, ContainerLauncher launcher) {
        this.projections = projections;
        this.finder = finder;
        this.handlers = handlers;
        this.tools = tools;
        this.waits = waits;
        this.launcher = launcher;
    }

    public void register(ApiRouter router) {
        router.post("/containers/:name/attach", this::attach);
        router.post("/containers/:name/resize", this::resize);
    }

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
                    out.accept(Frames.frame(Frames.streamOf(entry), entry.bytes()));
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
                    hijack.write(tty ? Buffer.buffer(entry.bytes()) : Frames.frame(Frames.streamOf(entry), entry.bytes()));
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
}
