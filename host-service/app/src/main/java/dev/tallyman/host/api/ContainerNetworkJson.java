package dev.tallyman.host.api;

import dev.tallyman.audit.event.NetworkEvent.NetworkEndpoint;
import dev.tallyman.audit.event.NetworkEvent.PublishedPort;
import dev.tallyman.audit.event.NetworkMembership;
import dev.tallyman.host.api.json.ContainerCreateBody;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.containers.CreateContainer;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.NetworkView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A container's networking in Docker's JSON: create's NetworkingConfig and PortBindings, inspect's NetworkSettings, ps's Ports. */
final class ContainerNetworkJson {
    private ContainerNetworkJson() {
    }

    static Map<String, CreateContainer.EndpointRequest> endpointsOf(ContainerCreateBody body) {
        Map<String, CreateContainer.EndpointRequest> endpoints = new LinkedHashMap<>();
        if (body.networkingConfig() == null || body.networkingConfig().endpointsConfig() == null) {
            return endpoints;
        }
        body.networkingConfig().endpointsConfig().forEach((name, settings) -> {
            if (settings == null) {
                endpoints.put(name, new CreateContainer.EndpointRequest(List.of(), ""));
                return;
            }
            String ip = settings.ipamConfig() == null ? "" : settings.ipamConfig().ipv4Address();
            endpoints.put(name, new CreateContainer.EndpointRequest(settings.aliases(), ip));
        });
        return endpoints;
    }

    /** HostConfig.PortBindings {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}; HostPort "" or "0" means any free one. */
    static List<PublishedPort> portBindingsOf(ContainerCreateBody.HostConfig host) {
        List<PublishedPort> ports = new ArrayList<>();
        if (host.portBindings() == null) {
            return ports;
        }
        new TreeMap<>(host.portBindings()).forEach((key, bindings) -> {
            String[] parts = key.split("/", 2);
            String protocol = parts.length > 1 ? parts[1] : "tcp";
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw EngineException.invalid("invalid proto: " + protocol);
            }
            int containerPort = port(parts[0], key);
            List<ContainerCreateBody.PortBinding> list = bindings == null || bindings.isEmpty()
                    ? List.of(new ContainerCreateBody.PortBinding("", "")) : bindings;
            for (ContainerCreateBody.PortBinding b : list) {
                String hostIp = b.hostIp() == null || b.hostIp().equals("0.0.0.0") ? "" : b.hostIp();
                String hostPort = b.hostPort() == null ? "" : b.hostPort();
                if (hostPort.contains("-")) {
                    hostPort = hostPort.substring(0, hostPort.indexOf('-'));
                }
                ports.add(new PublishedPort(protocol, hostIp, hostPort.isEmpty() ? 0 : port(hostPort, key), containerPort));
            }
        });
        return ports;
    }

    private static int port(String text, String key) {
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid port specification: \"" + text + "\"");
        }
    }

    /** NetworkSettings.Ports: every exposed port, with its host bindings while an endpoint publishes it (else null). */
    static Map<String, Object> ports(ContainerView c, List<NetworkView> networks) {
        Map<String, Object> ports = new TreeMap<>();
        for (String exposed : c.spec().exposedPorts()) {
            ports.put(exposed, null);
        }
        for (PublishedPort p : published(c, networks)) {
            @SuppressWarnings("unchecked")
            List<Map<String, String>> list = (List<Map<String, String>>) ports.get(p.containerPort() + "/" + p.protocol());
            if (list == null) {
                list = new ArrayList<>();
                ports.put(p.containerPort() + "/" + p.protocol(), list);
            }
            list.add(Map.of("HostIp", p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp(), "HostPort", Integer.toString(p.hostPort())));
        }
        return ports;
    }

    static List<PublishedPort> published(ContainerView c, List<NetworkView> networks) {
        List<PublishedPort> ports = new ArrayList<>();
        for (NetworkView n : networks) {
            NetworkEndpoint e = n.endpoints().get(c.id());
            if (e != null && n.joined().contains(c.id())) {
                ports.addAll(e.ports());
            }
        }
        return ports;
    }

    /** The ps summary's Ports: published ones with their host side, exposed ones without. */
    static List<Map<String, Object>> summaryPorts(ContainerView c, List<NetworkView> networks) {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<PublishedPort> published = published(c, networks);
        for (PublishedPort p : published) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("IP", p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp());
            row.put("PrivatePort", p.containerPort());
            row.put("PublicPort", p.hostPort());
            row.put("Type", p.protocol());
            rows.add(row);
        }
        for (String exposed : c.spec().exposedPorts()) {
            String[] f = exposed.split("/");
            int port = Integer.parseInt(f[0]);
            String protocol = f.length > 1 ? f[1] : "tcp";
            if (published.stream().noneMatch(p -> p.containerPort() == port && p.protocol().equals(protocol))) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("PrivatePort", port);
                row.put("Type", protocol);
                rows.add(row);
            }
        }
        return rows;
    }

    /** NetworkSettings.Networks: one entry per network the container belongs to, filled while it is joined. */
    static Map<String, Object> networks(ContainerView c, List<NetworkView> networks) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (NetworkView n : networks) {
            NetworkEndpoint e = n.joined().contains(c.id()) ? n.endpoints().get(c.id()) : null;
            NetworkMembership member = n.members().get(c.id());
            Map<String, Object> m = new LinkedHashMap<>();
            String requestedIp = member == null ? "" : member.ipv4Address();
            m.put("IPAMConfig", requestedIp.isEmpty() ? null : Map.of("IPv4Address", requestedIp));
            m.put("Links", null);
            List<String> aliases = member != null ? member.aliases() : e != null ? e.aliases() : List.of();
            m.put("Aliases", aliases.isEmpty() ? null : aliases);
            m.put("MacAddress", e == null ? "" : e.macAddress());
            m.put("DriverOpts", null);
            m.put("GwPriority", 0);
            m.put("NetworkID", n.id());
            m.put("EndpointID", e == null ? "" : e.endpointId());
            m.put("Gateway", e == null || e.ipv4Address().isEmpty() ? "" : n.gateway());
            m.put("IPAddress", e == null ? "" : e.ipv4Address());
            m.put("IPPrefixLen", e == null ? 0 : e.prefixLength());
            m.put("IPv6Gateway", "");
            m.put("GlobalIPv6Address", "");
            m.put("GlobalIPv6PrefixLen", 0);
            List<String> dnsNames = new ArrayList<>();
            if (!n.predefined()) {
                dnsNames.add(c.name());
                dnsNames.addAll(e != null ? e.aliases() : aliases);
                dnsNames.add(c.id().substring(0, 12));
            }
            m.put("DNSNames", dnsNames.isEmpty() ? null : dnsNames.stream().distinct().toList());
            map.put(n.name(), m);
        }
        return map;
    }

    /** The whole NetworkSettings of inspect; the top-level address fields are the default bridge's, as Docker's. */
    static Map<String, Object> settings(ContainerView c, List<NetworkView> networks, String sandboxKey) {
        Map<String, Object> s = new LinkedHashMap<>();
        NetworkView bridge = networks.stream().filter(n -> n.name().equals("bridge")).findFirst().orElse(null);
        NetworkEndpoint e = bridge != null && bridge.joined().contains(c.id()) ? bridge.endpoints().get(c.id()) : null;
        boolean joinedAny = networks.stream().anyMatch(n -> n.joined().contains(c.id()));
        s.put("Bridge", "");
        s.put("SandboxID", joinedAny ? c.id() : "");
        s.put("SandboxKey", joinedAny ? sandboxKey : "");
        s.put("Ports", ports(c, networks));
        s.put("HairpinMode", false);
        s.put("LinkLocalIPv6Address", "");
        s.put("LinkLocalIPv6PrefixLen", 0);
        s.put("SecondaryIPAddresses", null);
        s.put("SecondaryIPv6Addresses", null);
        s.put("EndpointID", e == null ? "" : e.endpointId());
        s.put("Gateway", e == null ? "" : bridge.gateway());
        s.put("GlobalIPv6Address", "");
        s.put("GlobalIPv6PrefixLen", 0);
        s.put("IPAddress", e == null ? "" : e.ipv4Address());
        s.put("IPPrefixLen", e == null ? 0 : e.prefixLength());
        s.put("IPv6Gateway", "");
        s.put("MacAddress", e == null ? "" : e.macAddress());
        s.put("Networks", networks(c, networks));
        return s;
    }

    /** ps's Ports and NetworkSettings.Networks. */
    static void decorateSummary(Map<String, Object> row, ContainerView c, List<NetworkView> networks) {
        row.put("Ports", summaryPorts(c, networks));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("Networks", networks(c, networks));
        row.put("NetworkSettings", settings);
    }

    /** inspect's NetworkSettings, HostConfig.PortBindings/PublishAllPorts, Config.ExposedPorts and the files' paths. */
    @SuppressWarnings("unchecked")
    static void decorateInspect(Map<String, Object> body, ContainerView c, List<NetworkView> networks, java.nio.file.Path bundle) {
        String sandboxKey = bundle.getParent().getParent().resolve("netns").resolve(c.id()).toString();
        body.put("NetworkSettings", settings(c, networks, sandboxKey));
        Object host = body.get("HostConfig");
        if (host instanceof Map<?, ?> h) {
            Map<String, Object> hostConfig = new LinkedHashMap<>((Map<String, Object>) h);
            Map<String, List<Map<String, String>>> bindings = new TreeMap<>();
            for (PublishedPort p : c.spec().portBindings()) {
                bindings.computeIfAbsent(p.containerPort() + "/" + p.protocol(), k -> new ArrayList<>())
                        .add(Map.of("HostIp", p.hostIp(), "HostPort", p.hostPort() == 0 ? "" : Integer.toString(p.hostPort())));
            }
            hostConfig.put("PortBindings", bindings);
            hostConfig.put("PublishAllPorts", c.spec().publishAllPorts());
            body.put("HostConfig", hostConfig);
        }
        Object config = body.get("Config");
        if (config instanceof Map<?, ?> m && !c.spec().exposedPorts().isEmpty()) {
            Map<String, Object> exposed = new TreeMap<>();
            c.spec().exposedPorts().forEach(p -> exposed.put(p, Map.of()));
            ((Map<String, Object>) m).put("ExposedPorts", exposed);
        }
        if (c.isRunning()) {
            body.put("ResolvConfPath", bundle.resolve("resolv.conf").toString());
            body.put("HostnamePath", bundle.resolve("hostname").toString());
            body.put("HostsPath", bundle.resolve("hosts").toString());
        }
    }

    /** Docker's publish=/expose= filter value: "80", "80/udp" or a range "8000-8080/tcp". */
    static boolean portMatches(String filter, int port, String protocol) {
        String[] f = filter.split("/", 2);
        String wantedProtocol = f.length > 1 ? f[1] : "tcp";
        if (!wantedProtocol.equals(protocol)) {
            return false;
        }
        try {
            if (f[0].contains("-")) {
                String[] r = f[0].split("-", 2);
                return port >= Integer.parseInt(r[0]) && port <= Integer.parseInt(r[1]);
            }
            return port == Integer.parseInt(f[0]);
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid filter value: " + filter);
        }
    }

    static boolean portMatches(String filter, String exposed) {
        String[] e = exposed.split("/", 2);
        return portMatches(filter, Integer.parseInt(e[0]), e.length > 1 ? e[1] : "tcp");
    }
}
