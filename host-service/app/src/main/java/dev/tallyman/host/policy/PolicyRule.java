package dev.tallyman.host.policy;

import java.util.List;

/**
 * What audit and access rules share: a name, and which requests they select, by actor, object kind, operation
 * and access (read or write). A list left out selects everything; rules are tried in file order and the first
 * that selects a request decides, as in Kubernetes' audit policy.
 */
public interface PolicyRule {
    String name();

    ActorMatch actors();

    List<String> kinds();

    /** Operation names from {@link RouteTable}, or "read"/"write" for every read or write. */
    List<String> operations();

    /** "read", "write", or null for both. */
    String access();

    default boolean selects(Caller caller, RouteClass route) {
        return (kinds().isEmpty() || kinds().contains(route.kind()))
                && (operations().isEmpty() || operations().contains(route.operation())
                        || operations().contains(route.access()))
                && (access() == null || access().equals(route.access()))
                && actors().matches(caller);
    }

    /** Checks the parts every rule has; the first problem names the rule. */
    static void check(int index, PolicyRule rule) {
        String at = "rule " + (index + 1) + (rule.name() == null ? "" : " ('" + rule.name() + "')");
        if (rule.name() == null || rule.name().isBlank()) {
            throw new PolicyException(at + ": name is required");
        }
        for (String kind : rule.kinds()) {
            if (!RouteTable.KINDS.contains(kind)) {
                throw new PolicyException(at + ": unknown kind '" + kind + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(RouteTable.KINDS)) + ")");
            }
        }
        for (String operation : rule.operations()) {
            if (!RouteTable.operations().contains(operation)) {
                throw new PolicyException(at + ": unknown operation '" + operation + "' (known: "
                        + String.join(", ", RouteTable.operations()) + ")");
            }
        }
        if (rule.access() != null && !rule.access().equals("read") && !rule.access().equals("write")) {
            throw new PolicyException(at + ": access must be read or write, not '" + rule.access() + "'");
        }
    }
}
