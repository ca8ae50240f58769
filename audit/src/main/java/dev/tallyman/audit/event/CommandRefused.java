package dev.tallyman.audit.event;

/**
 * A command that was refused before it took any effect: bad input, an unknown object, a conflict.
 *
 * @param command the command as named in Tallyman ("CreateContainer")
 * @param target the object as the user named it ("web", "busybox:latest"), or "" when there is none
 * @param status the HTTP status the caller got (400, 404, 409)
 * @param reason the message the caller got
 * @param rule the access policy rule that denied the command (issue 12), or "" when no rule did
 */
@EventType("command.refused")
public record CommandRefused(String command, String target, int status, String reason, String rule) implements Event {

    public CommandRefused {
        rule = rule == null ? "" : rule; // events from before access policies have none
    }

    public CommandRefused(String command, String target, int status, String reason) {
        this(command, target, status, reason, "");
    }
}
