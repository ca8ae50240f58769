package dev.tallyman.audit.event;

import java.util.List;

/**
 * Settings of {@code docker create} that clients of the Docker API rely on and that came after the container spec's
 * first fields (issue 15). Kept in one record so that a new one is a field here, not another spec component.
 *
 * @param logDriver --log-driver: "json-file" (kept and served) or "none" (nothing kept); null in older events
 * @param groupAdd  --group-add: extra groups of the container's process, by name or number; null in older events
 * @param health    the health check in effect (image's HEALTHCHECK and --health-*); null when there is none
 * @param links     --link, in the order given; null in older events
 * @param storageOpt --storage-opt for the container's writable layer (issue 14); null in older events
 */
public record ContainerOptions(String logDriver, List<String> groupAdd, HealthConfig health, List<ContainerLink> links,
                               java.util.Map<String, String> storageOpt) {
    public static final ContainerOptions DEFAULT = new ContainerOptions("json-file", List.of(), null);

    public ContainerOptions(String logDriver, List<String> groupAdd) {
        this(logDriver, groupAdd, null);
    }

    /** The options before links; there are none. */
    public ContainerOptions(String logDriver, List<String> groupAdd, HealthConfig health) {
        this(logDriver, groupAdd, health, List.of());
    }

    /** The options before --storage-opt; there are none. */
    public ContainerOptions(String logDriver, List<String> groupAdd, HealthConfig health, List<ContainerLink> links) {
        this(logDriver, groupAdd, health, links, java.util.Map.of());
    }

    /** These options with the health check in effect. */
    public ContainerOptions withHealth(HealthConfig newHealth) {
        return new ContainerOptions(logDriver, groupAdd, newHealth, links, storageOpt);
    }

    /** These options with their links replaced. */
    public ContainerOptions withLinks(List<ContainerLink> newLinks) {
        return new ContainerOptions(logDriver, groupAdd, health, newLinks, storageOpt);
    }

    /** These options without the link known as {@code alias} (docker rm --link). */
    public ContainerOptions withoutLink(String alias) {
        return withLinks(links.stream().filter(l -> !l.alias().equals(alias)).toList());
    }

    public ContainerOptions {
        logDriver = logDriver == null || logDriver.isEmpty() ? "json-file" : logDriver;
        groupAdd = groupAdd == null ? List.of() : List.copyOf(groupAdd);
        links = links == null ? List.of() : List.copyOf(links);
        storageOpt = storageOpt == null ? java.util.Map.of() : java.util.Map.copyOf(storageOpt);
    }

    /** --log-driver none: the container's output is neither kept nor served. */
    public boolean keepsLogs() {
        return !logDriver.equals("none");
    }
}
