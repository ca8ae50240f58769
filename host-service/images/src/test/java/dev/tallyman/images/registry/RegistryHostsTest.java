package dev.tallyman.images.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryHostsTest {

    @Test
    void loopbackIsAlwaysInsecure() {
        RegistryHosts hosts = RegistryHosts.defaults();

        assertThat(hosts.isInsecure("127.0.0.1:5000")).isTrue();
        assertThat(hosts.isInsecure("127.8.9.10")).isTrue();
        assertThat(hosts.isInsecure("localhost:5000")).isTrue();
        assertThat(hosts.isInsecure("[::1]:5000")).isTrue();
        assertThat(hosts.endpoints("localhost:5000")).containsExactly(
                new RegistryEndpoint(URI.create("http://localhost:5000"), false));
    }

    @Test
    void otherHostsUseHttpsUnlessListedByNameOrRange() {
        RegistryHosts hosts = new RegistryHosts(List.of("registry.lan:5000", "10.1.0.0/16"), List.of());

        assertThat(hosts.isInsecure("10.2.0.1:5000")).isFalse();
        assertThat(hosts.isInsecure("10.1.200.3:5000")).isTrue();
        assertThat(hosts.isInsecure("registry.lan:5000")).isTrue();
        assertThat(hosts.endpoints("10.2.0.1:5000").get(0).base()).isEqualTo(URI.create("https://10.2.0.1:5000"));
        assertThat(hosts.endpoints("10.1.0.9").get(0).base()).isEqualTo(URI.create("http://10.1.0.9"));
    }

    @Test
    void dockerHubNamesGoToTheMirrorsInOrder() {
        RegistryHosts hosts = new RegistryHosts(List.of(),
                List.of(URI.create("http://127.0.0.1:5001/"), URI.create("http://127.0.0.1:5002")));

        assertThat(hosts.endpoints("docker.io")).containsExactly(
                new RegistryEndpoint(URI.create("http://127.0.0.1:5001"), true),
                new RegistryEndpoint(URI.create("http://127.0.0.1:5002"), true));
    }

    @Test
    void dockerHubWithoutMirrorFailsAtOnceNamingTheSetting() {
        assertThatThrownBy(() -> RegistryHosts.defaults().endpoints("docker.io"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("registry-mirrors");
        assertThatThrownBy(() -> new RegistryHosts(List.of(), List.of(URI.create("http://127.0.0.1:1"))).registry("docker.io"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("mirrors serve pulls only");
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new RegistryHosts(List.of("10.0.0.0/99"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RegistryHosts(List.of(), List.of(URI.create("ftp://mirror"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void loginAddressesBecomeHosts() {
        assertThat(RegistryLogin.registryHost("http://localhost:5000/")).isEqualTo("localhost:5000");
        assertThat(RegistryLogin.registryHost("https://index.docker.io/v1/")).isEqualTo("docker.io");
        assertThat(RegistryLogin.registryHost("127.0.0.1:5000")).isEqualTo("127.0.0.1:5000");
    }

    @Test
    void credentialsNeverShowTheirSecret() {
        assertThat(RegistryCredentials.basic("alice", "s3cret-pw").toString()).contains("alice").doesNotContain("s3cret-pw");
        assertThat(RegistryCredentials.identityToken("alice", "tok-123").toString()).doesNotContain("tok-123");
    }
}
