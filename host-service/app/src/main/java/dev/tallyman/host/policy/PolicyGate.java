package dev.tallyman.host.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.audit.event.AuditEvent.ObjectRead;
import dev.tallyman.audit.event.AuditEvent.RequestRecorded;
import dev.tallyman.audit.event.CommandRefused;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Where a request meets the policies, before its handler runs: the access policy may refuse it (403, on the
 * record with the rule's name, nothing done), then the audit policy may record it (a read as {@code audit.read},
 * a write's body as {@code audit.request}). Reads and bodies are appended with any version: a read never waits
 * on, or conflicts with, an object's stream.
 */
public final class PolicyGate {
    private static final Logger LOG = Logger.getLogger(PolicyGate.class);

    private final Optional<AuditPolicy> audit;
    private final Optional<AccessPolicy> access;
    private final Journal journal;
    private final ObjectMapper json;

    public PolicyGate(Optional<AuditPolicy> audit, Optional<AccessPolicy> access, Journal journal, ObjectMapper json) {
        this.audit = audit;
        this.access = access;
        this.journal = journal;
        this.json = json;
    }

    /** The request as the gate sees it: what it is, the route as sent, the object as named, its JSON body if read. */
    public record Request(RouteClass route, String command, String line, String target, byte[] body) {
    }

    /** Refuses (throws a 403 already on the record) or records what the audit policy asks for; returns when the request may go on. */
    public void admit(Caller caller, Request request, CommandContext context) {
        JsonNode body = parse(request.body());
        if (access.isPresent()) {
            Optional<AccessPolicy.Denial> denial = access.get().decide(caller, request.route(), RequestFacts.of(body));
            if (denial.isPresent()) {
                EngineException refusal = EngineException.forbidden(denial.get().message());
                try {
                    journal.append(StreamId.REFUSALS, ExpectedVersion.any(), new CommandRefused(request.command(),
                            request.target(), refusal.kind().status(), refusal.getMessage(), denial.get().rule()), context);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "record refusal of %s %s", request.command(), request.target());
                }
                throw refusal.onRecord();
            }
        }
        if (audit.isEmpty()) {
            return;
        }
        RouteClass route = request.route();
        AuditLevel level = audit.get().levelFor(caller, route);
        String recordedBody = level == AuditLevel.Request && body != null ? audit.get().redact().body(body).toString() : "";
        if (route.read() && level != AuditLevel.None) {
            journal.append(StreamId.AUDIT_READS, ExpectedVersion.any(), new ObjectRead(route.kind(), route.operation(),
                    request.line(), request.target(), level.name(), recordedBody), context);
        } else if (!route.read() && level == AuditLevel.Request) {
            journal.append(StreamId.AUDIT_REQUESTS, ExpectedVersion.any(), new RequestRecorded(route.kind(),
                    route.operation(), request.line(), request.target(), recordedBody), context);
        }
    }

    private JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (java.io.IOException e) {
            return null; // the handler answers a body that is not JSON with Docker's 400
        }
    }
}
