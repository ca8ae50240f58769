package dev.tallyman.host.policy;

import java.util.List;

/** One rule of an audit policy: the requests it selects are recorded at {@code level}. */
public record AuditRule(String name, String level, ActorMatch actors, List<String> kinds, List<String> operations,
                        String access) implements PolicyRule {
    public AuditRule {
        actors = actors == null ? ActorMatch.ANYONE : actors;
        kinds = kinds == null ? List.of() : List.copyOf(kinds);
        operations = operations == null ? List.of() : List.copyOf(operations);
    }

    AuditLevel auditLevel() {
        return AuditLevel.valueOf(level);
    }
}
