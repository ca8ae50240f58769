package dev.tallyman.audit.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A command that was refused before it took any effect: bad input, an unknown object, a conflict.
 *
 * @param command the command as named in Tallyman ("CreateContainer")
 * @param target the object as the user named it ("web", "busybox:latest"), or "" when there is none
 * @param status the HTTP status the caller got (400, 404, 409)
 * @param reason the message the caller got
 * @param rule the access policy rule that denied the command (issue 12), or "" when no rule did
 * @param refusedAt when the caller was refused, for a refusal recorded later than that (the event store was
 *                  down at the time); null, and left out of the JSON, when it was recorded at once
 */
@EventType("command.refused")
public record CommandRefused(String command, String target, int status, String reason, String rule,
        @JsonInclude(JsonInclude.Include.NON_NULL) Instant refusedAt) implements Event {

    public CommandRefused {
        rule = rule == null ? "" : rule; // events from before access policies have none
    }

    public CommandRefused(String command, String target, int status, String reason, String rule) {
        this(command, target, status, reason, rule, null);
    }

    public CommandRefused(String command, String target, int status, String reason) {
        this(command, target, status, reason, "");
    }

    /** The same refusal, saying when it happened: it is recorded after the event store came back. */
    public CommandRefused refusedAt(Instant when) {
        return new CommandRefused(command, target, status, reason, rule, when);
    }
}
