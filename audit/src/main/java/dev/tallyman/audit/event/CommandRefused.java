package dev.tallyman.audit.event;

/**
 * A command that was refused before it took any effect: bad input, an unknown object, a conflict.
 *
 * @param command the command as named in Tallyman ("CreateContainer")
 * @param target the object as the user named it ("web", "busybox:latest"), or "" when there is none
 * @param status the HTTP status the caller got (400, 404, 409)
 * @param reason the message the caller got
 */
@EventType("command.refused")
public record CommandRefused(String command, String target, int status, String reason) implements Event {
}
