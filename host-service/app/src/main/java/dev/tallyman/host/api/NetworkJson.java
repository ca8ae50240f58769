package dev.tallyman.host.api;

import dev.tallyman.audit.event.NetworkEvent.NetworkEndpoint;
import dev.tallyman.host.projections.NetworkView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A network in Docker's JSON shape (GET /networks and /networks/{id}). */
final class NetworkJson {
    private NetworkJson() {
    }

    /** @param withContainers inspect lists the joined containers' endpoints; the list shows an empty map */
    static Map<String, Object> of(NetworkView n, boolean withContainers, Function<String, String> containerName) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", n.name());
        m.put("Id", n.id());
        m.put("Created", DockerTime.rfc3339(n.created()));
        m.put("Scope", "local");
        m.put("Driver", n.driver());
        m.put("EnableIPv4", true);
        m.put("EnableIPv6", false);
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("Driver", "default");
        ipam.put("Options", null);
        if (n.hasAddresses()) {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("Subnet", n.subnet());
            if (!n.ipRange().isEmpty()) {
                config.put("IPRange", n.ipRange());
            }
            config.put("Gateway", n.gateway());
            ipam.put("Config", List.of(config));
        } else {
            ipam.put("Config", null);
        }
        m.put("IPAM", ipam);
        m.put("Internal", n.internal());
        m.put("Attachable", false);
        m.put("Ingress", false);
        m.put("ConfigFrom", Map.of("Network", ""));
        m.put("ConfigOnly", false);
        Map<String, Object> containers = new LinkedHashMap<>();
        if (withContainers) {
            for (Map.Entry<String, NetworkEndpoint> e : n.endpoints().entrySet()) {
                if (!n.joined().contains(e.getKey())) {
                    continue;
                }
                NetworkEndpoint endpoint = e.getValue();
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("Name", containerName.apply(e.getKey()));
                c.put("EndpointID", endpoint.endpointId());
                c.put("MacAddress", endpoint.macAddress());
                c.put("IPv4Address", endpoint.ipv4Address().isEmpty() ? "" : endpoint.ipv4Address() + "/" + endpoint.prefixLength());
                c.put("IPv6Address", "");
                containers.put(e.getKey(), c);
            }
        }
        m.put("Containers", containers);
        m.put("Options", n.options());
        m.put("Labels", n.labels());
        return m;
    }
}
