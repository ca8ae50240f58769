package dev.tallyman.host.api;

import dev.tallyman.host.commands.containers.ContainerLinks;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.Projections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * --link in inspect, as the Docker peer shows it: default bridge links in HostConfig.Links ("/db:/web/alias",
 * the linked container under its current name), user network links in that network's endpoint Links
 * ("udb:ualias") with HostConfig.Links null.
 */
final class LinkJson {
    private LinkJson() {
    }

    /**
     * Names in docker ps: the container's name and the link names other containers know it by ("/web/alias"),
     * sorted as Docker's name registry lists them. The CLI shows the first plain name unless --no-trunc.
     */
    static void decorateSummary(Map<String, Object> row, ContainerView c, Projections projections) {
        List<String> links = projections.read(p -> p.containers().linkNames(c.id()));
        if (!links.isEmpty()) {
            List<String> names = new java.util.ArrayList<>(links);
            names.add("/" + c.name());
            names.sort(null);
            row.put("Names", names);
        }
    }

    @SuppressWarnings("unchecked")
    static void decorateInspect(Map<String, Object> inspect, ContainerView c, Projections projections) {
        if (inspect.get("HostConfig") instanceof Map<?, ?> h) {
            Map<String, Object> host = new LinkedHashMap<>((Map<String, Object>) h);
            host.put("Links", projections.read(p -> ContainerLinks.inspect(c, p)));
            inspect.put("HostConfig", host);
        }
        List<String> userLinks = ContainerLinks.onUserNetwork(c);
        if (userLinks != null && inspect.get("NetworkSettings") instanceof Map<?, ?> settings
                && settings.get("Networks") instanceof Map<?, ?> networks
                && networks.get(c.spec().networkMode()) instanceof Map<?, ?> endpoint) {
            Map<String, Object> withLinks = new LinkedHashMap<>((Map<String, Object>) endpoint);
            withLinks.put("Links", userLinks);
            Map<String, Object> allNetworks = new LinkedHashMap<>((Map<String, Object>) networks);
            allNetworks.put(c.spec().networkMode(), withLinks);
            Map<String, Object> allSettings = new LinkedHashMap<>((Map<String, Object>) settings);
            allSettings.put("Networks", allNetworks);
            inspect.put("NetworkSettings", allSettings);
        }
    }
}
