package dev.tallyman.host.api;

import dev.tallyman.audit.event.ContainerOptions;
import dev.tallyman.host.api.json.ContainerCreateBody;

/** Reads the create body's later settings (log driver, --group-add, --link) into {@link ContainerOptions}. */
final class CreateOptionsJson {
    private CreateOptionsJson() {
    }

    static ContainerOptions optionsOf(ContainerCreateBody body, ContainerCreateBody.HostConfig host) {
        return optionsOf(body, host, host.logConfig() == null ? null : host.logConfig().type());
    }

    /** With the log driver already chosen (the container's own, or the service's default). */
    static ContainerOptions optionsOf(ContainerCreateBody body, ContainerCreateBody.HostConfig host, String driver) {
        ContainerCreateBody.HealthcheckBody h = body.healthcheck();
        dev.tallyman.audit.event.HealthConfig health = h == null ? null
                : new dev.tallyman.audit.event.HealthConfig(h.test(), h.interval(), h.timeout(), h.startPeriod(), h.retries(),
                        h.startInterval());
        return new ContainerOptions(driver, host.groupAdd(), health,
                dev.tallyman.host.commands.containers.ContainerLinks.parse(host.links()), host.storageOpt());
    }
}
