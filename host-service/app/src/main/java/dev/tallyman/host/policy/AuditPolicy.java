package dev.tallyman.host.policy;

import java.util.List;

/**
 * Issue 11's audit policy: rules tried in order, the first that selects a request gives its level; a request no
 * rule selects is recorded as without a policy (level None). {@code redact} says which secrets never reach the
 * record.
 */
public record AuditPolicy(List<AuditRule> rules, Redaction redact) {
    public AuditPolicy {
        rules = rules == null ? List.of() : List.copyOf(rules);
        redact = redact == null ? Redaction.DEFAULT : redact;
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            AuditRule rule = rules.get(i);
            PolicyRule.check(i, rule);
            AuditLevel.parse(rule.level(), "rule " + (i + 1) + " ('" + rule.name() + "')");
            if (!names.add(rule.name())) {
                throw new PolicyException("rule " + (i + 1) + ": the name '" + rule.name() + "' is used twice");
            }
        }
    }

    public AuditLevel levelFor(Caller caller, RouteClass route) {
        for (AuditRule rule : rules) {
            if (rule.selects(caller, route)) {
                return rule.auditLevel();
            }
        }
        return AuditLevel.None;
    }
}
