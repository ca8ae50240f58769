package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.HealthConfig;
import dev.tallyman.images.config.Healthcheck;
import java.util.Optional;

/** The health check a container gets: --health-* over the image's HEALTHCHECK, field by field, as Docker merges them. */
final class HealthChecks {
    private HealthChecks() {
    }

    static HealthConfig inEffect(HealthConfig requested, Optional<Healthcheck> image) {
        if (image.isEmpty()) {
            return requested;
        }
        Healthcheck i = image.get();
        HealthConfig fromImage = new HealthConfig(i.test(), i.interval().toNanos(), i.timeout().toNanos(),
                i.startPeriod().toNanos(), i.retries(), i.startInterval().toNanos());
        if (requested == null) {
            return fromImage;
        }
        return new HealthConfig(requested.test().isEmpty() ? fromImage.test() : requested.test(),
                requested.intervalNanos() != 0 ? requested.intervalNanos() : fromImage.intervalNanos(),
                requested.timeoutNanos() != 0 ? requested.timeoutNanos() : fromImage.timeoutNanos(),
                requested.startPeriodNanos() != 0 ? requested.startPeriodNanos() : fromImage.startPeriodNanos(),
                requested.retries() != 0 ? requested.retries() : fromImage.retries(),
                requested.startIntervalNanos() != 0 ? requested.startIntervalNanos() : fromImage.startIntervalNanos());
    }
}
