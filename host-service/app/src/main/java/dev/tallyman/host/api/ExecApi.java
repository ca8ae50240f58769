package dev.tallyman.host.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.containers.ExecHandler;
import dev.tallyman.host.commands.containers.ExecInstances;
import dev.tallyman.runtime.attach.AttachOutput;
import dev.tallyman.runtime.attach.AttachSession;
import dev.tallyman.runtime.attach.DetachFilter;
import dev.tallyman.runtime.attach.DetachKeys;
import dev.tallyman.runtime.exec.ExecProcess;
import dev.tallyman.runtime.exec.ExecStartException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** docker exec: POST /containers/{id}/exec, POST /exec/{id}/start (hijacked), GET /exec/{id}/json, resize. */
public final class ExecApi {
    private final ExecHandler exec;

    public ExecApi(ExecHandler exec) {
        this.exec = exec;
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ExecCreateBody(boolean attachStdin, boolean attachStdout, boolean attachStderr, boolean tty,
                                 List<String> cmd, List<String> env, String user, String workingDir, String detachKeys,
                                 boolean privileged) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ExecStartBody(boolean detach, boolean tty) {
    }

    public void register(ApiRouter router) {
        router.postJson("/containers/:name/exec", this::create);
        router.postJson("/exec/:id/start", this::start);
        router.get("/exec/:id/json", this::inspect);
        router.post("/exec/:id/resize", this::resize);
    }

    private void create(ApiRequest request) {
        ExecCreateBody body = request.body(ExecCreateBody.class);
        ExecInstances.Instance instance = exec.create(request.path("name"), body.cmd(), body.env(), body.user(),
                body.workingDir(), body.tty(), body.attachStdin(), body.attachStdout(), body.attachStderr(), body.detachKeys(),
                request.commandContext());
        request.json(201, Map.of("Id", instance.id));
    }

    /**
     * Starts the exec. Attached: hijacks the connection, streams its output (framed without a terminal) and feeds
     * stdin; the CLI then asks /exec/{id}/json for the exit code. Detached: answers 200 at once.
     */
    private void start(ApiRequest request) throws Exception {
        ExecInstances.Instance instance = exec.require(request.path("id"));
        Buffer raw = request.routing().body().buffer();
        ExecStartBody body = raw == null || raw.length() == 0 ? new ExecStartBody(false, instance.tty)
                : request.body(ExecStartBody.class);
        if (body.detach()) {
            try {
                exec.start(instance, true, request.commandContext());
            } catch (ExecStartException e) {
                throw EngineException.invalid(e.getMessage()).onRecord();
            }
            request.response().setStatusCode(200).end();
            return;
        }
        // Upgrade first, then start the process, as Docker does: a client that reads the 101 through a buffered
        // HTTP reader and then the raw socket (docker-py) loses output that arrives in the same read as the head.
        exec.checkStartable(instance);
        String contentType = Frames.contentType(instance.tty, request.version());
        ExecStdin stdin = new ExecStdin(instance.tty ? new DetachFilter(DetachKeys.parse(instance.detachKeys)) : null);
        Hijack hijack = instance.attachStdin ? Hijack.start(request, contentType, stdin::accept, stdin::closed)
                : Hijack.start(request, contentType);
        ExecProcess process;
        try {
            process = exec.start(instance, false, request.commandContext());
        } catch (ExecStartException e) {
            // Docker writes the failure into the attached stream; the CLI then reads the exit code (126) from inspect.
            byte[] text = (e.getMessage() + "\r\n").getBytes(StandardCharsets.UTF_8);
            hijack.write(instance.tty ? Buffer.buffer(text) : Frames.frame(Frames.STDOUT, text));
            hijack.end();
            return;
        }
        try (AttachSession session = process.session().orElseThrow()) {
            stdin.attach(session);
            Optional<AttachOutput> output;
            while (!stdin.detached() && !hijack.gone().get() && (output = session.read()).isPresent()) {
                AttachOutput o = output.get();
                boolean wanted = o.stream() == AttachOutput.Stream.STDOUT ? instance.attachStdout : instance.attachStderr;
                if (wanted) {
                    hijack.write(instance.tty ? Buffer.buffer(o.bytes())
                            : Frames.frame(o.stream() == AttachOutput.Stream.STDOUT ? Frames.STDOUT : Frames.STDERR, o.bytes()));
                }
            }
            if (!stdin.detached()) {
                exec.awaitExit(instance, Duration.ofSeconds(30), request.commandContext());
            }
            hijack.end();
        }
    }

    private void inspect(ApiRequest request) {
        ExecInstances.Instance i = exec.require(request.path("id"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", i.id);
        m.put("Running", i.running());
        m.put("ExitCode", i.exitCode().isPresent() ? i.exitCode().getAsInt() : null);
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("tty", i.tty);
        process.put("entrypoint", i.command.get(0));
        process.put("arguments", i.command.subList(1, i.command.size()));
        process.put("privileged", false);
        process.put("user", i.user);
        m.put("ProcessConfig", process);
        m.put("OpenStdin", i.attachStdin);
        m.put("OpenStderr", i.attachStderr);
        m.put("OpenStdout", i.attachStdout);
        m.put("CanRemove", false);
        m.put("ContainerID", i.containerId);
        m.put("DetachKeys", "");
        m.put("Pid", i.pid());
        request.json(200, m);
    }

    private void resize(ApiRequest request) {
        ExecInstances.Instance i = exec.require(request.path("id"));
        int rows = request.intQuery("h", 0);
        int cols = request.intQuery("w", 0);
        // The CLI sizes the terminal as soon as it reads the 101, which comes before the process has started:
        // wait for the start, as Docker does, or the first size is lost.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (i.tty && !i.running() && i.exitCode().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (i.tty && i.running() && rows > 0 && cols > 0) {
            exec.resize(i, rows, cols, request.commandContext());
        }
        request.response().setStatusCode(201).end();
    }
}
