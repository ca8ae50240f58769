package dev.tallyman.images.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A {@code HEALTHCHECK}: {@code test} is {@code ["NONE"]} (disabled), {@code ["CMD", args...]} or
 * {@code ["CMD-SHELL", command]}. Zero durations and retries mean "use the engine's default".
 */
public record Healthcheck(List<String> test, Duration interval, Duration timeout, Duration startPeriod,
                          Duration startInterval, int retries) {
    public Healthcheck {
        test = List.copyOf(test);
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(startPeriod, "startPeriod");
        Objects.requireNonNull(startInterval, "startInterval");
        if (retries < 0) {
            throw new IllegalArgumentException("healthcheck retries must not be negative: " + retries);
        }
    }
}
