package dev.tallyman.audit.event;

/**
 * What an audit policy asked to be kept beyond the state changes (issue 11): who read which object, and the
 * body a request carried. Secrets are taken out of {@code body} before the event is built, so the record never
 * holds them. Both change nothing Docker shows; they sit in streams of their own.
 */
public sealed interface AuditEvent extends Event {

    /** The object kind the request touched ({@code container}, {@code image}, …). */
    String kind();

    /**
     * A read (list, inspect, logs, …) the policy asked to record, appended before anything is given out.
     *
     * @param kind the object kind
     * @param operation the operation as the policy names it ({@code logs}, {@code inspect}, {@code list})
     * @param route the request as "METHOD path", path as the client sent it
     * @param target the object as the user named it, or ""
     * @param level the policy level that asked for it: {@code Metadata} or {@code Request}
     * @param body the request body at level Request (secrets redacted), else ""
     */
    @EventType("audit.read")
    record ObjectRead(String kind, String operation, String route, String target, String level, String body)
            implements AuditEvent {
    }

    /**
     * The body of a state-changing request at level Request, secrets redacted; its intents and outcomes carry the
     * same correlation id.
     */
    @EventType("audit.request")
    record RequestRecorded(String kind, String operation, String route, String target, String body)
            implements AuditEvent {
    }
}
