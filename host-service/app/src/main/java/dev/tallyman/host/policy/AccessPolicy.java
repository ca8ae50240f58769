package dev.tallyman.host.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/**
 * Issue 12's who-may-do-what: rules tried in order, the first that applies allows or denies; a request no rule
 * applies to gets {@code default} ("allow" unless the file says "deny").
 */
public record AccessPolicy(@JsonProperty("default") String fallback, List<AccessRule> rules) {
    public AccessPolicy {
        fallback = fallback == null ? "allow" : fallback;
        rules = rules == null ? List.of() : List.copyOf(rules);
        if (!fallback.equals("allow") && !fallback.equals("deny")) {
            throw new PolicyException("default must be allow or deny, not '" + fallback + "'");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            AccessRule rule = rules.get(i);
            PolicyRule.check(i, rule);
            if (!"allow".equals(rule.effect()) && !"deny".equals(rule.effect())) {
                throw new PolicyException("rule " + (i + 1) + " ('" + rule.name() + "'): effect must be allow or deny, not '"
                        + rule.effect() + "'");
            }
            if (!names.add(rule.name())) {
                throw new PolicyException("rule " + (i + 1) + ": the name '" + rule.name() + "' is used twice");
            }
        }
    }

    /** A denial: the rule's name and the message the caller gets. */
    public record Denial(String rule, String message) {
    }

    /** Empty when the request may go ahead. */
    public Optional<Denial> decide(Caller caller, RouteClass route, RequestFacts facts) {
        for (AccessRule rule : rules) {
            if (rule.applies(caller, route, facts)) {
                return rule.denies()
                        ? Optional.of(new Denial(rule.name(), "authorization denied by policy rule '" + rule.name() + "': "
                                + rule.reason(route, facts)))
                        : Optional.empty();
            }
        }
        return fallback.equals("deny")
                ? Optional.of(new Denial("default", "authorization denied by policy default: " + route.kind() + " "
                        + route.operation() + " is not allowed"))
                : Optional.empty();
    }
}
