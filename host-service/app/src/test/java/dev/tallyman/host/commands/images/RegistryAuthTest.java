package dev.tallyman.host.commands.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.images.registry.RegistryCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** X-Registry-Auth as the CLI sends it: base64url JSON, or "{}" for anonymous. */
class RegistryAuthTest {
    private static String header(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsUserAndPasswordOrIdentityToken() {
        Optional<RegistryCredentials> basic = RegistryAuth.fromHeader(
                header("{\"username\":\"ann\",\"password\":\"p?>>~\",\"serveraddress\":\"127.0.0.1:5000\"}"));
        assertThat(basic).contains(RegistryCredentials.basic("ann", "p?>>~"));
        assertThat(basic.get().toString()).doesNotContain("p?>>~");

        assertThat(RegistryAuth.fromHeader(header("{\"username\":\"ann\",\"identitytoken\":\"tok\"}")))
                .contains(RegistryCredentials.identityToken("ann", "tok"));
    }

    @Test
    void emptyOrUnreadableHeadersMeanAnonymous() {
        assertThat(RegistryAuth.fromHeader(null)).isEmpty();
        assertThat(RegistryAuth.fromHeader("e30=")).isEmpty();
        assertThat(RegistryAuth.fromHeader("!!not base64!!")).isEmpty();
        assertThat(RegistryAuth.fromHeader(header("not json"))).isEmpty();
    }
}
