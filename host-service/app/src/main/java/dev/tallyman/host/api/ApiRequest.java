package dev.tallyman.host.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** One API call: its path and query parameters read the way Docker reads them, its caller, and the answer. */
public final class ApiRequest {
    static final String CORRELATION_HEADER = "X-Tallyman-Correlation-Id";

    private final RoutingContext context;
    private final ApiVersion version;
    private final CommandContext commandContext;
    private final ObjectMapper json;

    ApiRequest(RoutingContext context, ApiVersion version, Actor actor, UUID correlationId, ObjectMapper json) {
        this.context = context;
        this.version = version;
        this.commandContext = new CommandContext(actor, correlationId);
        this.json = json;
    }

    public RoutingContext routing() {
        return context;
    }

    public ApiVersion version() {
        return version;
    }

    public CommandContext commandContext() {
        return commandContext;
    }

    /** A path parameter, e.g. the container name in /containers/{name}/json. */
    public String path(String name) {
        return context.pathParam(name);
    }

    public Optional<String> query(String name) {
        return Optional.ofNullable(context.request().getParam(name));
    }

    public String query(String name, String fallback) {
        return query(name).orElse(fallback);
    }

    /**
     * Docker's reading of a boolean query value: absent, empty, 0, no, false and none are false, anything else
     * true. Python clients send "False" and "True", which this reads right too.
     */
    public boolean flag(String name) {
        String value = context.request().getParam(name);
        if (value == null) {
            return false;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        return !(v.isEmpty() || v.equals("0") || v.equals("no") || v.equals("false") || v.equals("none"));
    }

    public int intQuery(String name, int fallback) {
        String value = context.request().getParam(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid value for " + name + ": " + value);
        }
    }

    /** The JSON body as a T; a body that is not JSON of that shape is Docker's 400 "invalid JSON". */
    public <T> T body(Class<T> type) {
        return body(type, java.util.function.UnaryOperator.identity());
    }

    /**
     * The JSON body as a T after {@code shape} rewrote its tree: how a route reads a body whose fields mean
     * different things at different API versions (see ContainerRequestsByVersion).
     */
    public <T> T body(Class<T> type, java.util.function.UnaryOperator<com.fasterxml.jackson.databind.JsonNode> shape) {
        Buffer body = context.body().buffer();
        if (body == null || body.length() == 0) {
            throw EngineException.invalid("invalid JSON: empty body");
        }
        try {
            // Read as a tree first: a null body or a null inside an array ({"Env": [null]}) is refused here,
            // where it would otherwise reach a handler as a null it never expects.
            // Content after the first JSON value ({"a":1}{) is refused too, as Docker refuses it.
            com.fasterxml.jackson.databind.JsonNode tree = json.reader()
                    .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readTree(body.getBytes());
            JsonErrors.checkNoNulls(tree);
            T value = json.treeToValue(shape.apply(tree), type);
            if (value == null) {
                throw EngineException.invalid("invalid JSON: the body is null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw EngineException.invalid("invalid JSON: " + JsonErrors.describe(e));
        } catch (java.io.IOException e) {
            throw EngineException.invalid("invalid JSON: " + e.getMessage());
        }
    }

    public HttpServerResponse response() {
        return context.response();
    }

    public void json(int status, Object value) {
        try {
            byte[] bytes = json.writeValueAsBytes(value);
            context.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Buffer.buffer(bytes));
        } catch (JsonProcessingException e) {
            throw EngineException.system("encode response: " + e.getMessage(), e);
        }
    }

    public void noContent() {
        context.response().setStatusCode(204).end();
    }

    public void text(int status, String text) {
        context.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(text);
    }

    public ObjectMapper mapper() {
        return json;
    }
}
