package dev.tallyman.host.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.policy.PolicyGate;
import dev.tallyman.host.policy.RouteClass;
import dev.tallyman.host.policy.RouteTable;
import dev.tallyman.host.projections.AmbiguousReferenceException;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Registers Docker's routes on Vert.x: each path is served bare and under a version prefix (/v1.50/...),
 * runs on a worker thread, and turns every failure into Docker's {@code {"message": …}} with Docker's status.
 */
public final class ApiRouter {
    private static final Logger LOG = Logger.getLogger(ApiRouter.class);
    private static final Pattern PARAM = Pattern.compile(":([a-zA-Z]+)(\\*?)");
    static final String VERSION_KEY = "tallyman.api-version";
    /** On every answer: the correlation id under which the request's events (or its refusal) are recorded. */
    public static final String CORRELATION = "Tallyman-Correlation-Id";
    /** A JSON body larger than this is answered 413 before it is read whole; tars (cp, build, load) stream unlimited. */
    public static final long JSON_BODY_LIMIT = 1024 * 1024;

    private final Router router;
    private final ObjectMapper json;
    private final String serverHeader;
    private final Journal journal;
    private final dev.tallyman.host.access.AccessRecord access;
    private volatile RequestObserver observer = RequestObserver.NONE;
    private volatile PolicyGate policies; // null: no policy file, every request as before
    private final List<Map<String, String>> registered = new CopyOnWriteArrayList<>();

    /** Hears each answered request (metrics): its route as registered, its status, and how long it took. */
    public interface RequestObserver {
        RequestObserver NONE = (method, route, status, nanos) -> { };

        void answered(String method, String route, int status, long nanos);
    }

    public ApiRouter(Router router, ObjectMapper json, String serverHeader, Journal journal) {
        this.router = router;
        this.json = json;
        this.serverHeader = serverHeader;
        this.journal = journal;
        this.access = new dev.tallyman.host.access.AccessRecord(journal);
        router.route().order(-100).handler(this::stampHeaders);
        router.route().failureHandler(this::failed);
    }

    /** Docker stamps these on every answer; clients read the API version from any of them. */
    private void stampHeaders(RoutingContext context) {
        context.response()
                .putHeader("Api-Version", ApiVersion.CURRENT.toString())
                .putHeader("Server", serverHeader)
                .putHeader("Ostype", "linux")
                .putHeader("Docker-Experimental", "false");
        context.next();
    }

    public void get(String path, ApiHandler handler) {
        add(HttpMethod.GET, path, false, handler);
    }

    public void head(String path, ApiHandler handler) {
        add(HttpMethod.HEAD, path, false, handler);
    }

    public void post(String path, ApiHandler handler) {
        add(HttpMethod.POST, path, false, handler);
    }

    /** A POST whose JSON body is read whole before the handler runs. */
    public void postJson(String path, ApiHandler handler) {
        add(HttpMethod.POST, path, true, handler);
    }

    public void delete(String path, ApiHandler handler) {
        add(HttpMethod.DELETE, path, false, handler);
    }

    public void put(String path, ApiHandler handler) {
        add(HttpMethod.PUT, path, false, handler);
    }

    public void observeWith(RequestObserver observer) {
        this.observer = observer;
    }

    /** Audit and access policies (issues 11, 12) see every request before its handler. */
    public void guardWith(PolicyGate gate) {
        this.policies = gate;
    }

    /** Unknown routes get Docker's answer, so the CLI prints a clean error instead of an HTML page. */
    public void finish() {
        get("/tallyman/routes", request -> request.json(200, List.copyOf(registered)));
        router.route().order(Integer.MAX_VALUE - 10).handler(context -> {
            context.response().putHeader(CORRELATION, UUID.randomUUID().toString());
            writeError(context, 404, "page not found");
        });
    }

    private void add(HttpMethod method, String path, boolean jsonBody, ApiHandler handler) {
        registered.add(Map.of("Method", method.name(), "Path", path, "Body", jsonBody ? "json" : "stream"));
        Route route = router.routeWithRegex(method, regexOf(path));
        if (jsonBody) {
            route.handler(BodyHandler.create().setBodyLimit(JSON_BODY_LIMIT).setHandleFileUploads(false));
        } else {
            // Hold the body until the worker reads it (an import streams a tar): bytes arriving while the
            // request waits for a worker thread would otherwise be dropped.
            route.handler(context -> {
                context.request().pause();
                context.next();
            });
        }
        String command = method.name() + " " + path;
        RouteClass routeClass = RouteTable.classify(method.name(), path);
        route.blockingHandler(context -> {
            long began = System.nanoTime();
            try {
                serve(context, command, routeClass, handler);
            } finally {
                // a stream or a hijacked connection counts until its handler returns
                observer.answered(method.name(), path, context.response().getStatusCode(), System.nanoTime() - began);
            }
        }, false);
    }

    /** "/containers/:id/json" (or ":name*" for a parameter that may hold slashes) becomes a regex with an optional "/v1.NN" prefix and a named group per parameter. */
    static String regexOf(String path) {
        Matcher m = PARAM.matcher(path);
        StringBuilder body = new StringBuilder();
        int last = 0;
        while (m.find()) {
            body.append(Pattern.quote(path.substring(last, m.start())));
            // ":name*" may span slashes, for image names such as localhost:5000/team/app:v1.
            body.append("(?<").append(m.group(1)).append(m.group(2).isEmpty() ? ">[^/]+)" : ">.+)");
            last = m.end();
        }
        body.append(Pattern.quote(path.substring(last)));
        return "^(?:/v(?<apiversion>[0-9]+\\.[0-9]+))?" + body + "/?$";
    }

    private void serve(RoutingContext context, String command, RouteClass routeClass, ApiHandler handler) {
        UUID correlationId = UUID.randomUUID();
        context.response().putHeader(ApiRequest.CORRELATION_HEADER, correlationId.toString());
        // issue 11's name for it, the one the audit API (/tallyman/v1) answers with too
        context.response().putHeader(CORRELATION, correlationId.toString());
        Actor actor;
        try {
            actor = Peers.actorOf(context.request().connection());
        } catch (Peers.UnknownCaller e) {
            // issue 12: a caller nobody can name is not served, and the attempt is on the record
            access.socketCallerRefused(e.getMessage());
            writeError(context, 403, "caller's credentials cannot be read: " + e.getMessage());
            context.request().connection().close();
            return;
        }
        try {
            String requested = context.pathParam("apiversion");
            ApiVersion version = requested == null ? ApiVersion.CURRENT : ApiVersion.parse(requested).checkServed();
            ApiRequest request = new ApiRequest(context, version, actor, correlationId, json);
            PolicyGate gate = policies;
            if (gate != null) {
                gate.admit(PeerGroups.callerOf(context.request().connection(), actor), new PolicyGate.Request(routeClass,
                        command, context.request().method() + " " + context.request().path(), targetOf(context),
                        PeerGroups.jsonBodyOf(context)), request.commandContext());
            }
            journal.command(() -> handler.handle(request));
        } catch (Exception e) {
            answer(context, command, actor, correlationId, StoreFailures.answerFor(e).orElse(null), e);
        }
    }

    private void answer(RoutingContext context, String command, Actor actor, UUID correlationId,
                        EngineException storeFailure, Exception failure) {
        if (storeFailure != null) {
            // The store cannot record a refusal now. An outage is one line (the writer logged its cause once);
            // any other store failure keeps the driver's own words and stack in the log, never in the answer.
            if (storeFailure.kind() == EngineException.Kind.UNAVAILABLE) {
                LOG.warnf("%s %s: %s", context.request().method(), context.request().path(), storeFailure.getMessage());
                if (isCommand(context)) {
                    // on the record once the store is back, with the time the caller was refused
                    journal.refuseWhenBack(new CommandContext(actor, correlationId), command, targetOf(context), storeFailure);
                }
            } else {
                LOG.errorf(failure, "%s %s: %s", context.request().method(), context.request().path(), failure.getMessage());
            }
            writeError(context, storeFailure.kind().status(), storeFailure.getMessage());
            return;
        }
        try {
            throw failure;
        } catch (EngineException e) {
            if (e.kind() == EngineException.Kind.SYSTEM) {
                LOG.errorf(e, "%s %s: %s", context.request().method(), context.request().path(), e.getMessage());
            }
            if ((isCommand(context) || e.kind() == EngineException.Kind.SYSTEM) && !e.isOnRecord()
                    && e.kind() != EngineException.Kind.NOT_MODIFIED) {
                journal.refuse(new CommandContext(actor, correlationId), command, targetOf(context), e);
            }
            writeError(context, e.kind().status(),
                    e.kind() == EngineException.Kind.SYSTEM ? UnexpectedFailures.answer(e) : e.getMessage());
        } catch (AmbiguousReferenceException e) {
            writeError(context, 400, e.getMessage());
        } catch (Exception e) {
            LOG.errorf(e, "%s %s: %s", context.request().method(), context.request().path(), e.getMessage());
            // An unexpected failure is on the record too, naming the exception, whatever the method.
            journal.refuse(new CommandContext(actor, correlationId), command, targetOf(context),
                    EngineException.system(e.getClass().getName() + ": " + e.getMessage(), e));
            writeError(context, 500, UnexpectedFailures.answer(e));
        }
    }

    /**
     * A request that failed before its handler ran: a JSON body over the limit (413, known from Content-Length
     * before a byte is read, or counted while reading), a body that could not be read, or a failure in Vert.x.
     * Answered in Docker's shape; a command's refusal is recorded off the event loop.
     */
    private void failed(RoutingContext context) {
        int status = context.statusCode() < 400 ? 500 : context.statusCode();
        Throwable failure = context.failure();
        String message = switch (status) {
            case 413 -> "request body is larger than the limit of " + JSON_BODY_LIMIT + " bytes";
            case 400 -> "invalid request body";
            default -> failure == null ? "internal error" : UnexpectedFailures.answer(failure);
        };
        if (failure != null && status >= 500) {
            LOG.errorf(failure, "%s %s: %s", context.request().method(), context.request().path(), failure.getMessage());
        }
        UUID correlationId = UUID.randomUUID();
        if (!context.response().headWritten()) {
            context.response().putHeader(ApiRequest.CORRELATION_HEADER, correlationId.toString());
        }
        String command = context.request().method().name() + " " + commandOf(context);
        if (isCommand(context) || status >= 500) {
            Actor actor = Peers.actorOf(context.request().connection());
            String recorded = failure != null && status >= 500 ? failure.getClass().getName() + ": " + failure.getMessage() : message;
            EngineException refusal = new EngineException(kindOf(status), recorded);
            context.vertx().executeBlocking(() -> journal.refuse(new CommandContext(actor, correlationId), command,
                    targetOf(context), refusal), false).onComplete(done -> writeError(context, status, message));
        } else {
            writeError(context, status, message);
        }
    }

    /** The route as registered ("/containers/:name/start") when known, else the path asked for. */
    private String commandOf(RoutingContext context) {
        String asked = context.request().path();
        for (Map<String, String> r : registered) {
            if (r.get("Method").equals(context.request().method().name())
                    && Pattern.matches(regexOf(r.get("Path")), asked)) {
                return r.get("Path");
            }
        }
        return asked;
    }

    private static EngineException.Kind kindOf(int status) {
        return switch (status) {
            case 400, 413 -> EngineException.Kind.INVALID_PARAMETER;
            case 404 -> EngineException.Kind.NOT_FOUND;
            default -> EngineException.Kind.SYSTEM;
        };
    }

    /** Queries change nothing, so only commands (every method but GET and HEAD) are recorded when refused. */
    private static boolean isCommand(RoutingContext context) {
        HttpMethod method = context.request().method();
        return !(method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD));
    }

    /** The object as the user named it: the {name} of the path, else the name or image of the query. */
    private static String targetOf(RoutingContext context) {
        for (String key : new String[] {"name", "id"}) {
            String value = context.pathParam(key);
            if (value != null) {
                return value;
            }
        }
        for (String key : new String[] {"name", "fromImage", "repo"}) {
            String value = context.request().getParam(key);
            if (value != null) {
                return value;
            }
        }
        return "";
    }

    private void writeError(RoutingContext context, int status, String message) {
        if (context.response().headWritten()) {
            // The answer already started (a stream): all that is left is to end it.
            if (!context.response().ended()) {
                context.response().end();
            }
            return;
        }
        try {
            context.response().setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .end(json.writeValueAsString(Map.of("message", message)));
        } catch (Exception e) {
            // the message could not be encoded: still Docker's shape, with a message that needs no encoding
            context.response().setStatusCode(500).putHeader("Content-Type", "application/json")
                    .end("{\"message\":\"internal error\"}");
        }
    }
}
