package dev.tallyman.host.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.host.commands.EngineException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerFieldsByVersionTest {
    private static final String ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @SuppressWarnings("unchecked")
    private static Map<String, Object> endpoint(Map<String, Object> body, String network) {
        return (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) body.get("NetworkSettings")).get("Networks")).get(network);
    }

    /** An inspect body as built for 1.50: one user network with an alias, and the default bridge. */
    private static Map<String, Object> current() {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("Aliases", new ArrayList<>(List.of("web")));
        user.put("GwPriority", 0);
        user.put("DNSNames", List.of("app", "web", ID.substring(0, 12)));
        Map<String, Object> bridge = new LinkedHashMap<>();
        bridge.put("Aliases", null);
        bridge.put("GwPriority", 0);
        bridge.put("DNSNames", null);
        Map<String, Object> networks = new LinkedHashMap<>();
        networks.put("appnet", user);
        networks.put("bridge", bridge);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("Networks", networks);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("NetworkSettings", settings);
        return body;
    }

    @Test
    void theCurrentVersionIsLeftAsBuilt() {
        Map<String, Object> body = current();
        ContainerFieldsByVersion.shapeInspect(body, ApiVersion.CURRENT, ID);
        assertThat(body).isEqualTo(current());
    }

    @Test
    void below145TheShortIdAndHostnameAreAliasesOnUserNetworksOnly() {
        Map<String, Object> body = current();
        body.put("Config", Map.of("Hostname", "app-host"));
        ContainerFieldsByVersion.shapeInspect(body, new ApiVersion(1, 44), ID);
        assertThat(endpoint(body, "appnet").get("Aliases")).isEqualTo(List.of("web", "0123456789ab", "app-host"));
        assertThat(endpoint(body, "bridge").get("Aliases")).isNull();
        // what later versions added stays, as Docker 28 leaves it
        assertThat(endpoint(body, "appnet")).containsKeys("DNSNames", "GwPriority");

        Map<String, Object> at145 = current();
        at145.put("Config", Map.of("Hostname", "app-host"));
        ContainerFieldsByVersion.shapeInspect(at145, new ApiVersion(1, 45), ID);
        assertThat(endpoint(at145, "appnet").get("Aliases")).isEqualTo(List.of("web"));
    }

    @Test
    void theDefaultHostnameIsTheShortIdAndIsListedOnce() {
        Map<String, Object> body = current();
        body.put("Config", Map.of("Hostname", "0123456789ab"));
        endpoint(body, "appnet").put("Aliases", null);
        ContainerFieldsByVersion.shapeInspect(body, new ApiVersion(1, 41), ID);
        assertThat(endpoint(body, "appnet").get("Aliases")).isEqualTo(List.of("0123456789ab"));
    }

    @Test
    void aBodyWithoutNetworksIsLeftAlone() {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("Id", ID));
        ContainerFieldsByVersion.shapeInspect(body, ApiVersion.MINIMUM, ID);
        assertThat(body).containsOnlyKeys("Id");
    }

    @Test
    void aStartBodyWithContentIsRefusedInDockersWords() {
        ContainerRequestsByVersion.checkStartBody(0);
        ContainerRequestsByVersion.checkStartBody("{}".length());
        ContainerRequestsByVersion.checkStartBody("null".length());
        assertThatThrownBy(() -> ContainerRequestsByVersion.checkStartBody("{\"Binds\":[]}".length()))
                .isInstanceOf(EngineException.class)
                .hasMessage("starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24");
    }
}
