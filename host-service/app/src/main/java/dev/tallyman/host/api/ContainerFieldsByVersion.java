package dev.tallyman.host.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fields of container inspect that come and go with the API version a client asks for (moby's version history),
 * all in one place. The document is built for the current version; this takes away what an older client never saw
 * and puts back what it relied on:
 * <ul>
 *   <li>below 1.45 the short container id is one of the endpoint's Aliases on every user-defined network
 *       (compose and old scripts read it from there); 1.45 stopped listing it, DNSNames carries it since;</li>
 *   <li>below 1.44 there is no DNSNames;</li>
 *   <li>below 1.48 there is no GwPriority.</li>
 * </ul>
 */
final class ContainerFieldsByVersion {
    /** Networks every engine has: Docker never gave the short id as an alias on these. */
    private static final Set<String> PREDEFINED = Set.of("bridge", "host", "none", "default");

    private ContainerFieldsByVersion() {
    }

    /** Shapes a GET /containers/{id}/json body, built for the current version, for {@code version}. */
    @SuppressWarnings("unchecked")
    static void shapeInspect(Map<String, Object> body, ApiVersion version, String containerId) {
        if (!(body.get("NetworkSettings") instanceof Map<?, ?> settings)
                || !(settings.get("Networks") instanceof Map<?, ?> networks)) {
            return;
        }
        Map<String, Object> shaped = new LinkedHashMap<>();
        networks.forEach((name, value) -> {
            if (!(value instanceof Map<?, ?> endpoint)) {
                shaped.put((String) name, value);
                return;
            }
            Map<String, Object> e = new LinkedHashMap<>((Map<String, Object>) endpoint);
            if (!version.atLeast(1, 45) && !PREDEFINED.contains((String) name)) {
                List<String> aliases = new ArrayList<>();
                if (e.get("Aliases") instanceof List<?> given) {
                    given.forEach(a -> aliases.add(String.valueOf(a)));
                }
                String shortId = containerId.substring(0, Math.min(12, containerId.length()));
                if (!aliases.contains(shortId)) {
                    aliases.add(shortId);
                }
                e.put("Aliases", aliases);
            }
            if (!version.atLeast(1, 44)) {
                e.remove("DNSNames");
            }
            if (!version.atLeast(1, 48)) {
                e.remove("GwPriority");
            }
            shaped.put((String) name, e);
        });
        ((Map<String, Object>) settings).put("Networks", shaped);
    }
}
