package dev.tallyman.audit.event;

import java.util.List;

/**
 * A container's health check in effect: the image's HEALTHCHECK overridden by --health-* (zero: Docker's
 * default), or {@code ["NONE"]} for --no-healthcheck.
 *
 * @param test {@code ["CMD", args…]}, {@code ["CMD-SHELL", command]} or {@code ["NONE"]}
 * @param startIntervalNanos time between probes during the start period (API 1.44); absent in older records: 0
 */
public record HealthConfig(List<String> test, long intervalNanos, long timeoutNanos, long startPeriodNanos, int retries,
        long startIntervalNanos) {
    public HealthConfig {
        test = test == null ? List.of() : List.copyOf(test);
    }

    public HealthConfig(List<String> test, long intervalNanos, long timeoutNanos, long startPeriodNanos, int retries) {
        this(test, intervalNanos, timeoutNanos, startPeriodNanos, retries, 0);
    }

    /** Whether probes run: a test is set and it is not NONE. */
    public boolean probes() {
        return !test.isEmpty() && !test.get(0).equals("NONE");
    }
}
