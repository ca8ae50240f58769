package dev.tallyman.host.policy;

import java.util.List;

/**
 * One rule of an access policy: the requests it selects (and, with {@code when}, only those asking for one of
 * the named things) are allowed or denied.
 *
 * @param effect "allow" or "deny"
 * @param when conditions on what the request asks for; null: any request the rule selects
 * @param message why, shown to the denied caller after the rule's name
 */
public record AccessRule(String name, String effect, ActorMatch actors, List<String> kinds, List<String> operations,
                         String access, When when, String message) implements PolicyRule {
    public AccessRule {
        actors = actors == null ? ActorMatch.ANYONE : actors;
        kinds = kinds == null ? List.of() : List.copyOf(kinds);
        operations = operations == null ? List.of() : List.copyOf(operations);
    }

    /**
     * Matches a request asking for any of the things set true here; all null or false: any request.
     */
    public record When(Boolean privileged, Boolean hostBinds, Boolean hostNetwork) {
        boolean any() {
            return Boolean.TRUE.equals(privileged) || Boolean.TRUE.equals(hostBinds) || Boolean.TRUE.equals(hostNetwork);
        }

        boolean matches(RequestFacts facts) {
            return !any() || (Boolean.TRUE.equals(privileged) && facts.privileged())
                    || (Boolean.TRUE.equals(hostBinds) && facts.hostBinds())
                    || (Boolean.TRUE.equals(hostNetwork) && facts.hostNetwork());
        }

        String describe(RequestFacts facts) {
            List<String> asked = new java.util.ArrayList<>();
            if (Boolean.TRUE.equals(privileged) && facts.privileged()) {
                asked.add("privileged mode");
            }
            if (Boolean.TRUE.equals(hostBinds) && facts.hostBinds()) {
                asked.add("host bind mounts");
            }
            if (Boolean.TRUE.equals(hostNetwork) && facts.hostNetwork()) {
                asked.add("the host network");
            }
            return String.join(", ", asked);
        }
    }

    boolean denies() {
        return effect.equals("deny");
    }

    boolean applies(Caller caller, RouteClass route, RequestFacts facts) {
        return selects(caller, route) && (when == null || when.matches(facts));
    }

    /** The text after the rule's name: the rule's own message, else what was asked for. */
    String reason(RouteClass route, RequestFacts facts) {
        if (message != null && !message.isBlank()) {
            return message;
        }
        String asked = when == null ? "" : when.describe(facts);
        return asked.isEmpty() ? route.kind() + " " + route.operation() + " is not allowed"
                : route.kind() + " " + route.operation() + " with " + asked + " is not allowed";
    }
}
