package dev.tallyman.host.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fields of container inspect that depend on the API version a client asks for (moby's version history), in one
 * place. The document is built for the current version; this puts back what older clients relied on.
 *
 * <p>Below 1.45 every endpoint on a user-defined network lists the short container id and the container's
 * hostname among its Aliases: Docker used to add both as aliases, and scripts and compose files written then
 * read them from there. From 1.45 Aliases are exactly what the client asked for; DNSNames carries the rest.
 *
 * <p>From 1.42 HostConfig has no KernelMemory and KernelMemoryTCP.
 *
 * <p>Fields that newer versions added (DNSNames from 1.44, GwPriority from 1.48) stay in older answers, as
 * Docker 28 leaves them: a client ignores fields it does not know, and taking them away would make Tallyman's
 * answers differ from Docker's for no client's sake.
 */
final class ContainerFieldsByVersion {
    /** Networks every engine has (and "default"): Docker never added aliases on these. */
    private static final Set<String> PREDEFINED = Set.of("bridge", "host", "none", "default");

    private ContainerFieldsByVersion() {
    }

    /** Shapes a GET /containers/{id}/json body, built for the current version, for {@code version}. */
    @SuppressWarnings("unchecked")
    static void shapeInspect(Map<String, Object> body, ApiVersion version, String containerId) {
        if (version.atLeast(1, 42) && body.get("HostConfig") instanceof Map<?, ?> host) {
            // 1.42 dropped kernel memory limits; Docker leaves the fields out when they are not set (never, here).
            Map<String, Object> shaped = new LinkedHashMap<>((Map<String, Object>) host);
            shaped.remove("KernelMemory");
            shaped.remove("KernelMemoryTCP");
            body.put("HostConfig", shaped);
        }
        if (version.atLeast(1, 45)
                || !(body.get("NetworkSettings") instanceof Map<?, ?> settings)
                || !(settings.get("Networks") instanceof Map<?, ?> networks)) {
            return;
        }
        String shortId = containerId.substring(0, Math.min(12, containerId.length()));
        String hostname = body.get("Config") instanceof Map<?, ?> config && config.get("Hostname") instanceof String h ? h : "";
        Map<String, Object> shaped = new LinkedHashMap<>();
        networks.forEach((name, value) -> {
            if (!(value instanceof Map<?, ?> endpoint) || PREDEFINED.contains((String) name)
                    || ((String) name).startsWith("container:")) {
                shaped.put((String) name, value);
                return;
            }
            Map<String, Object> e = new LinkedHashMap<>((Map<String, Object>) endpoint);
            List<String> aliases = new ArrayList<>();
            if (e.get("Aliases") instanceof List<?> given) {
                given.forEach(a -> aliases.add(String.valueOf(a)));
            }
            for (String added : new String[] {shortId, hostname}) {
                if (!added.isEmpty() && !aliases.contains(added)) {
                    aliases.add(added);
                }
            }
            e.put("Aliases", aliases);
            shaped.put((String) name, e);
        });
        ((Map<String, Object>) settings).put("Networks", shaped);
    }
}
