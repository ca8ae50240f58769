package dev.tallyman.host.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.host.commands.EngineException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContainerRequestsByVersionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode shaped(int minor, String body, List<String> warnings) throws Exception {
        return ContainerRequestsByVersion.shapeCreate(JSON.readTree(body), new ApiVersion(1, minor), warnings);
    }

    @Test
    void settingsAVersionDidNotHaveAreDropped() throws Exception {
        String body = "{\"Image\":\"busybox\",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"StartInterval\":1000000000},"
                + "\"HostConfig\":{\"AutoRemove\":true,\"ConsoleSize\":[40,120],\"KernelMemory\":0}}";
        List<String> warnings = new ArrayList<>();
        JsonNode v150 = shaped(50, body, warnings);
        assertThat(v150.path("Healthcheck").path("StartInterval").asLong()).isEqualTo(1_000_000_000L);
        assertThat(v150.path("HostConfig").has("ConsoleSize")).isTrue();
        assertThat(v150.path("HostConfig").has("KernelMemory")).isFalse();

        JsonNode v143 = shaped(43, body, warnings);
        assertThat(v143.path("Healthcheck").has("StartInterval")).isFalse();
        assertThat(v143.path("HostConfig").path("AutoRemove").asBoolean()).isTrue();

        JsonNode v141 = shaped(41, body, warnings);
        assertThat(v141.path("HostConfig").has("ConsoleSize")).isFalse();

        JsonNode v124 = shaped(24, body, warnings);
        assertThat(v124.path("HostConfig").path("AutoRemove").asBoolean()).isFalse();
        assertThat(warnings).isEmpty();
    }

    @Test
    void aKernelMemoryLimitBefore142IsDiscardedWithDockersWarning() throws Exception {
        List<String> warnings = new ArrayList<>();
        JsonNode v141 = shaped(41, "{\"Image\":\"busybox\",\"HostConfig\":{\"KernelMemory\":8388608}}", warnings);
        assertThat(v141.path("HostConfig").has("KernelMemory")).isFalse();
        assertThat(warnings).containsExactly(ContainerRequestsByVersion.KERNEL_MEMORY_DISCARDED);
    }

    @Test
    void combinationsAVersionDidNotAllowAreRefusedInMobysWords() {
        String twoNetworks = "{\"Image\":\"busybox\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"a\":{},\"b\":{}}}}";
        assertThatThrownBy(() -> shaped(43, twoNetworks, new ArrayList<>())).isInstanceOf(EngineException.class)
                .hasMessage("Container cannot be created with multiple network endpoints: a, b");
        org.assertj.core.api.Assertions.assertThatCode(() -> shaped(44, twoNetworks, new ArrayList<>())).doesNotThrowAnyException();

        String subpath = "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/d\",\"VolumeOptions\":{\"Subpath\":\"x\"}}]}}";
        assertThatThrownBy(() -> shaped(44, subpath, new ArrayList<>())).hasMessage("VolumeOptions.Subpath needs API v1.45 or newer");

        String image = "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"image\",\"Source\":\"busybox\",\"Target\":\"/d\"}]}}";
        assertThatThrownBy(() -> shaped(47, image, new ArrayList<>())).hasMessage("Mount type \"Image\" needs API v1.48 or newer");

        String bindOnVolume = "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/d\",\"BindOptions\":{}}]}}";
        assertThatThrownBy(() -> shaped(42, bindOnVolume, new ArrayList<>()))
                .hasMessage("BindOptions must not be specified on mount type \"volume\"");
        org.assertj.core.api.Assertions.assertThatCode(() -> shaped(41, bindOnVolume, new ArrayList<>())).doesNotThrowAnyException();
    }
}
