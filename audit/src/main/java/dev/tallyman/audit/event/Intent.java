package dev.tallyman.audit.event;

import java.util.List;

/**
 * A command's request ({@code …Requested}), recorded before its effect. In its stream, with its correlation id,
 * it is followed by exactly one of its {@link #outcomes()}: what the effect came to, or, when Tallyman stopped
 * before it could say, the failure the reconciler appends ({@link #interrupted}) after looking at the machine.
 * Every stored type named {@code …-requested} is an intent; a unit test holds every one of them to this contract.
 */
public interface Intent {

    /** The event types that close this intent: its success and its failure, in that order. */
    List<Class<? extends Event>> outcomes();

    /**
     * The failure outcome for an effect that did not happen or whose fate nobody can tell any more, naming
     * {@code reason}. Always one of {@link #outcomes()}.
     */
    Event interrupted(String reason);
}
