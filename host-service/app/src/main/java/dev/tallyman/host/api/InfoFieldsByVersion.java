package dev.tallyman.host.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fields of GET /info that depend on the API version a client asks for (moby's version history, as Docker 28
 * answers each version), in one place. The document is built for the current version; this shapes it for an
 * older one. GET /version has no such differences.
 */
final class InfoFieldsByVersion {
    private InfoFieldsByVersion() {
    }

    /** Shapes the /info body, built for the current version, for {@code version}. */
    static void shape(Map<String, Object> info, ApiVersion version) {
        if (!version.atLeast(1, 25) && info.get("SecurityOptions") instanceof List<?> options) {
            // Before 1.25 a security option was its bare name ("seccomp"), not "name=seccomp,profile=builtin".
            List<String> names = new ArrayList<>();
            for (Object option : options) {
                names.add(nameOf(String.valueOf(option)));
            }
            info.put("SecurityOptions", names);
        }
        if (!version.atLeast(1, 39)) {
            for (String field : new String[] {"KernelVersion", "OperatingSystem"}) {
                if ("".equals(info.get(field))) {
                    info.put(field, "<unknown>");
                }
            }
        }
        if (!version.atLeast(1, 44) && info.get("Runtimes") instanceof Map<?, ?> runtimes) {
            Map<String, Object> plain = new LinkedHashMap<>();
            runtimes.forEach((name, runtime) -> plain.put(String.valueOf(name), withoutKey(runtime, "status")));
            info.put("Runtimes", plain);
        }
        if (!version.atLeast(1, 46)) {
            info.remove("Containerd");
        }
        if (info.get("RegistryConfig") instanceof Map<?, ?> registry) {
            // Listed (and always empty) before 1.47, omitted from then on.
            Map<String, Object> shaped = new LinkedHashMap<>();
            registry.forEach((k, v) -> shaped.put(String.valueOf(k), v));
            shaped.remove("AllowNondistributableArtifactsCIDRs");
            shaped.remove("AllowNondistributableArtifactsHostnames");
            if (!version.atLeast(1, 47)) {
                shaped.put("AllowNondistributableArtifactsCIDRs", null);
                shaped.put("AllowNondistributableArtifactsHostnames", null);
            }
            info.put("RegistryConfig", shaped);
        }
        for (String commit : new String[] {"ContainerdCommit", "RuncCommit", "InitCommit"}) {
            if (info.get(commit) instanceof Map<?, ?> c) {
                // "Expected" repeated the ID until 1.49 dropped it.
                Map<String, Object> shaped = withoutKey(c, "Expected");
                if (!version.atLeast(1, 49)) {
                    shaped.put("Expected", c.get("ID"));
                }
                info.put(commit, shaped);
            }
        }
        if (!version.atLeast(1, 49)) {
            info.remove("FirewallBackend");
        }
        if (!version.atLeast(1, 42)) {
            // Kernel memory limits are not offered (runc ignores them on cgroup v1 and they do not exist on v2).
            info.put("KernelMemory", false);
        }
        if (!version.atLeast(1, 50)) {
            info.remove("DiscoveredDevices");
            info.put("BridgeNfIptables", false);
            info.put("BridgeNfIp6tables", false);
        }
    }

    private static String nameOf(String option) {
        for (String part : option.split(",")) {
            if (part.startsWith("name=")) {
                return part.substring("name=".length());
            }
        }
        return option;
    }

    private static Map<String, Object> withoutKey(Object value, String key) {
        Map<String, Object> copy = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (!key.equals(k)) {
                    copy.put(String.valueOf(k), v);
                }
            });
        }
        return copy;
    }
}
