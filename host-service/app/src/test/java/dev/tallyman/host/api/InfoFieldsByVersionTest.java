package dev.tallyman.host.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@SuppressWarnings("unchecked")
class InfoFieldsByVersionTest {

    /** The fields of an /info body built for 1.50 that older versions show differently. */
    private static Map<String, Object> current() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("KernelVersion", "");
        info.put("OperatingSystem", "Debian GNU/Linux 12 (bookworm)");
        info.put("SecurityOptions", List.of("name=seccomp,profile=builtin"));
        info.put("Runtimes", Map.of("runc", Map.of("path", "/usr/sbin/runc", "status", Map.of())));
        info.put("RuncCommit", Map.of("ID", "v1.1.5", "Expected", "v1.1.5"));
        info.put("RegistryConfig", Map.of("InsecureRegistryCIDRs", List.of("127.0.0.0/8"),
                "AllowNondistributableArtifactsCIDRs", List.of()));
        return info;
    }

    private static Map<String, Object> at(int minor) {
        Map<String, Object> info = current();
        InfoFieldsByVersion.shape(info, new ApiVersion(1, minor));
        return info;
    }

    @Test
    void theCurrentVersionDropsWhatDocker28Omits() {
        Map<String, Object> info = at(50);
        assertThat(info.get("RuncCommit")).isEqualTo(Map.of("ID", "v1.1.5"));
        assertThat((Map<String, Object>) info.get("RegistryConfig")).doesNotContainKey("AllowNondistributableArtifactsCIDRs");
        assertThat(info).doesNotContainKeys("BridgeNfIptables", "KernelMemory");
        assertThat(info.get("SecurityOptions")).isEqualTo(List.of("name=seccomp,profile=builtin"));
        assertThat(info.get("KernelVersion")).isEqualTo("");
    }

    @Test
    void olderVersionsGetTheFieldsTheyHad() {
        Map<String, Object> v148 = at(48);
        assertThat(v148.get("RuncCommit")).isEqualTo(Map.of("ID", "v1.1.5", "Expected", "v1.1.5"));
        assertThat(v148).containsEntry("BridgeNfIptables", false).containsEntry("BridgeNfIp6tables", false);

        Map<String, Object> v141 = at(41);
        assertThat(v141).containsEntry("KernelMemory", false);
        assertThat(((Map<?, ?>) v141.get("Runtimes")).get("runc")).isEqualTo(Map.of("path", "/usr/sbin/runc"));
        assertThat((Map<String, Object>) v141.get("RegistryConfig")).containsEntry("AllowNondistributableArtifactsCIDRs", null)
                .containsEntry("AllowNondistributableArtifactsHostnames", null);
        assertThat(v141.get("KernelVersion")).isEqualTo("");

        Map<String, Object> v124 = at(24);
        assertThat(v124.get("SecurityOptions")).isEqualTo(List.of("seccomp"));
        assertThat(v124.get("KernelVersion")).isEqualTo("<unknown>");
        assertThat(v124.get("OperatingSystem")).isEqualTo("Debian GNU/Linux 12 (bookworm)");
    }
}
