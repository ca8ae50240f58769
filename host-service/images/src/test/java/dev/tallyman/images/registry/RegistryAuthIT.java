package dev.tallyman.images.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.registry.RegistryIT.Recorder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basic (htpasswd) and Bearer (token service) auth against the real registry; secrets never show. */
class RegistryAuthIT {
    private static final String USER = "alice";
    private static final String PASSWORD = "Wonder-land-42";
    private static final Optional<RegistryCredentials> GOOD = Optional.of(RegistryCredentials.basic(USER, PASSWORD));
    private static final RegistryCredentials WRONG = RegistryCredentials.basic(USER, "not-" + PASSWORD);

    @TempDir
    Path dir;
    LocalRegistry registry;
    TokenService tokens;

    @AfterEach
    void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    private void startWithHtpasswd() throws Exception {
        Process htpasswd = new ProcessBuilder("htpasswd", "-Bbn", USER, PASSWORD).start();
        String line = new String(htpasswd.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(htpasswd.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(htpasswd.exitValue()).as("htpasswd (apt-get install apache2-utils)").isZero();
        Path file = dir.resolve("htpasswd");
        Files.writeString(file, line + "\n");
        registry = LocalRegistry.start(dir.resolve("registry"),
                "auth:\n  htpasswd:\n    realm: basic-realm\n    path: " + file);
    }

    private void startWithTokens() throws Exception {
        tokens = new TokenService(dir.resolve("tokens"), USER, PASSWORD);
        registry = LocalRegistry.start(dir.resolve("registry"), tokens.authYaml());
    }

    private ImageReference ref(String path) {
        return ImageReference.parse(registry.host() + "/" + path);
    }

    private static void assertNoSecret(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
        }
    }

    @Test
    void htpasswdRegistryWantsBasicCredentials() throws Exception {
        startWithHtpasswd();
        LocalStore source = LocalStore.at(dir.resolve("source"));
        Digest imageId = TestImages.random(source, dir, 2, 100_000, "amd64", 31);
        ImageReference reference = ref("private/app:v1");

        assertThatThrownBy(() -> source.pusher(RegistryHosts.defaults()).push(reference, imageId, ProgressListener.IGNORE))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.UNAUTHORIZED))
                .hasMessageEndingWith(": no basic auth credentials");
        Recorder pushed = new Recorder();
        source.pusher(RegistryHosts.defaults()).push(reference, imageId, GOOD, pushed);
        assertThat(pushed.lines).allSatisfy(p -> assertThat(p.status()).doesNotContain(PASSWORD));

        LocalStore target = LocalStore.at(dir.resolve("target"));
        assertThatThrownBy(() -> target.puller(RegistryHosts.defaults()).pull(reference, ProgressListener.IGNORE))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.UNAUTHORIZED))
                .hasMessage("Get \"" + registry.base() + "/v2/private/app/manifests/v1\": no basic auth credentials");
        assertThatThrownBy(() -> target.puller(RegistryHosts.defaults()).pull(reference, Optional.of(WRONG), ProgressListener.IGNORE))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RegistryException.Reason.UNAUTHORIZED);
                    assertNoSecret(e);
                })
                .hasMessage("unauthorized: authentication required");
        assertThat(target.content().list()).isEmpty();

        PulledImage pull = target.puller(RegistryHosts.defaults()).pull(reference, GOOD, ProgressListener.IGNORE);
        assertThat(pull.imageId()).isEqualTo(imageId);

        RegistryLogin login = new RegistryLogin(RegistryHosts.defaults());
        assertThat(login.check(registry.host(), GOOD.get()).status()).isEqualTo("Login Succeeded");
        assertThatThrownBy(() -> login.check("http://" + registry.host() + "/", WRONG))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.UNAUTHORIZED))
                .hasMessage("login attempt to " + registry.base() + "/v2/ failed with status: 401 Unauthorized");
    }

    @Test
    void tokenRegistryIsAnsweredWithATokenFromItsRealm() throws Exception {
        startWithTokens();
        LocalStore source = LocalStore.at(dir.resolve("source"));
        Digest imageId = TestImages.random(source, dir, 3, 100_000, "amd64", 32);
        ImageReference reference = ref("team/app:v1");

        source.pusher(RegistryHosts.defaults()).push(reference, imageId, GOOD, ProgressListener.IGNORE);
        // One token for the whole push: later requests reuse it from the cache.
        assertThat(tokens.requests).containsExactly("repository:team/app:pull,push");

        LocalStore target = LocalStore.at(dir.resolve("target"));
        tokens.requests.clear();
        PulledImage pull = target.puller(RegistryHosts.defaults()).pull(reference, GOOD, ProgressListener.IGNORE);
        assertThat(pull.imageId()).isEqualTo(imageId);
        assertThat(tokens.requests).containsExactly("repository:team/app:pull");

        LocalStore anonymous = LocalStore.at(dir.resolve("anonymous"));
        assertThatThrownBy(() -> anonymous.puller(RegistryHosts.defaults()).pull(reference, ProgressListener.IGNORE))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.DENIED))
                .hasMessage("pull access denied for " + registry.host() + "/team/app, repository does not exist or "
                        + "may require 'docker login': denied: requested access to the resource is denied");
        assertThatThrownBy(() -> anonymous.puller(RegistryHosts.defaults()).pull(reference, Optional.of(WRONG), ProgressListener.IGNORE))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RegistryException.Reason.UNAUTHORIZED);
                    assertNoSecret(e);
                })
                .hasMessage("Get \"" + registry.base() + "/v2/team/app/manifests/v1\": unauthorized: incorrect username or password");

        RegistryLogin login = new RegistryLogin(RegistryHosts.defaults());
        assertThat(login.check(registry.host(), GOOD.get()).status()).isEqualTo("Login Succeeded");
        assertThatThrownBy(() -> login.check(registry.host(), WRONG))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.UNAUTHORIZED))
                .hasMessage("Get \"" + registry.base() + "/v2/\": unauthorized: incorrect username or password");
    }
}
