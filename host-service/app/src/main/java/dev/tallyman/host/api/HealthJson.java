package dev.tallyman.host.api;

import dev.tallyman.audit.event.HealthConfig;
import dev.tallyman.host.projections.HealthProjection.Health;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Health in Docker's shapes: inspect's State.Health and Config.Healthcheck, ps's "(healthy)". */
final class HealthJson {
    private HealthJson() {
    }

    @SuppressWarnings("unchecked")
    static void decorateInspect(Map<String, Object> inspect, HealthConfig config, Optional<Health> health) {
        if (config != null && inspect.get("Config") instanceof Map<?, ?> c) {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("Test", config.test());
            // Go's omitempty: zero durations and retries are left out, as Docker shows them.
            if (config.intervalNanos() != 0) check.put("Interval", config.intervalNanos());
            if (config.timeoutNanos() != 0) check.put("Timeout", config.timeoutNanos());
            if (config.startPeriodNanos() != 0) check.put("StartPeriod", config.startPeriodNanos());
            if (config.startIntervalNanos() != 0) check.put("StartInterval", config.startIntervalNanos());
            if (config.retries() != 0) check.put("Retries", config.retries());
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) c);
            copy.put("Healthcheck", check);
            inspect.put("Config", copy);
        }
        if (health.isPresent() && inspect.get("State") instanceof Map<?, ?> s) {
            Map<String, Object> state = new LinkedHashMap<>((Map<String, Object>) s);
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("Status", health.get().status());
            h.put("FailingStreak", health.get().failingStreak());
            h.put("Log", health.get().log().stream().map(p -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("Start", DockerTime.rfc3339(p.start()));
                m.put("End", DockerTime.rfc3339(p.end()));
                m.put("ExitCode", p.exitCode());
                m.put("Output", p.output());
                return m;
            }).toList());
            state.put("Health", h);
            inspect.put("State", state);
        }
    }

    /** What ps adds to a running container's status, "" without a check. */
    static String statusSuffix(Optional<Health> health) {
        return health.map(h -> switch (h.status()) {
            case "starting" -> " (health: starting)";
            case "healthy" -> " (healthy)";
            case "unhealthy" -> " (unhealthy)";
            default -> "";
        }).orElse("");
    }

    /** ps --filter health=: starting, healthy, unhealthy or none. */
    static String filterValue(Optional<Health> health) {
        return health.map(Health::status).orElse("none");
    }
}
