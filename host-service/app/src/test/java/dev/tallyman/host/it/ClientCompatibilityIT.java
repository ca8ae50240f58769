package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What clients read before anything else, and two listings the CLI shows (issue 13): the engine version they
 * compare against (with Tallyman's own beside it), every API version from the minimum to 1.50 served and a newer
 * one refused in Docker's words, and docker images with a reference filter and with digests.
 */
class ClientCompatibilityIT extends ContainerItSupport {

    @Override
    protected String instanceName() {
        return "cli-compat";
    }

    @Test
    void versionNamesTheDockerReleaseServedAndTallymanItself() {
        assertThat(ok("version", "--format", "{{.Server.Version}} {{.Server.APIVersion}} {{.Server.MinAPIVersion}}").trim())
                .isEqualTo("28.2.0 1.50 1.24");
        assertThat(ok("version", "--format", "{{.Server.Platform.Name}}").trim()).isEqualTo("Tallyman 0.1.0 (Docker Engine API 1.50)");
        assertThat(ok("version")).containsPattern("Tallyman:\\s+Version:\\s+0\\.1\\.0");
        assertThat(ok("info", "--format", "{{.ServerVersion}}|{{.ProductLicense}}").trim()).isEqualTo("28.2.0|Tallyman 0.1.0");
    }

    @Test
    void everyVersionFromTheMinimumTo150IsServedAndNewerOnesAreRefused() {
        for (int minor = 24; minor <= 50; minor++) {
            for (String path : List.of("/_ping", "/version", "/containers/json?all=1", "/images/json", "/networks", "/volumes")) {
                CommandResult r = tallyman.api("GET", "/v1." + minor + path, null);
                assertThat(r.stdout()).as("v1." + minor + path).endsWith("\n200");
            }
        }
        // Fields that left in later versions are still there for the clients that asked for an older one.
        assertThat(tallyman.api("GET", "/v1.43/images/busybox/json", null).stdout()).contains("\"VirtualSize\":");
        assertThat(tallyman.api("GET", "/v1.44/images/busybox/json", null).stdout()).doesNotContain("\"VirtualSize\":")
                .contains("\"ContainerConfig\":");
        assertThat(tallyman.api("GET", "/v1.43/images/json", null).stdout()).contains("\"VirtualSize\":");
        assertThat(tallyman.api("GET", "/v1.50/images/json", null).stdout()).doesNotContain("\"VirtualSize\":");
        assertThat(tallyman.api("GET", "/v1.41/containers/json", null).stdout()).endsWith("\n200");
        CommandResult tooNew = tallyman.api("GET", "/v1.51/version", null);
        assertThat(tooNew.stdout()).isEqualTo(
                "{\"message\":\"client version 1.51 is too new. Maximum supported API version is 1.50\"}\n400");
        CommandResult tooOld = tallyman.api("GET", "/v1.23/version", null);
        assertThat(tooOld.stdout()).contains("client version 1.23 is too old. Minimum supported API version is 1.24")
                .endsWith("\n400");
        // The CLI negotiates down from its own 1.50 to what the server announces; an older pinned version works too.
        CommandResult pinned = Shell.run(List.of("docker", "ps", "-a"),
                java.util.Map.of("DOCKER_HOST", tallyman.dockerHost(), "DOCKER_API_VERSION", "1.32"), null, 60);
        assertThat(pinned.exitCode()).as(pinned.toString()).isZero();
    }

    @Test
    void imagesWithAReferenceFilterListOnlyTheMatchingTags() {
        ok("tag", "busybox", "cli/app:1.0");
        ok("tag", "busybox", "cli/app:2.0");
        ok("tag", "busybox", "cli/other:1.0");
        String format = "{{.Repository}}:{{.Tag}}";
        assertThat(ok("images", "-f", "reference=cli/app:1*", "--format", format).lines().toList()).containsExactly("cli/app:1.0");
        assertThat(ok("images", "-f", "reference=cli/app", "--format", format).lines().sorted().toList())
                .containsExactly("cli/app:1.0", "cli/app:2.0");
        assertThat(ok("images", "-f", "reference=cli/*", "--format", format).lines().sorted().toList())
                .containsExactly("cli/app:1.0", "cli/app:2.0", "cli/other:1.0");
        assertThat(ok("images", "-f", "reference=nothing*", "-q")).isBlank();
        ok("rmi", "cli/app:1.0", "cli/app:2.0", "cli/other:1.0");
    }

    @Test
    void anImagePulledByDigestShowsItsRepositoryDigest() throws Exception {
        Path dir = Files.createTempDirectory("cli-compat-registry");
        try (TestRegistry registry = TestRegistry.open(dir)) {
            String repo = registry.host() + "/cli/pinned";
            ok("tag", "busybox", repo + ":v1");
            String pushed = ok("push", repo + ":v1");
            String digest = pushed.replaceAll("(?s).*v1: digest: (sha256:[0-9a-f]{64}).*", "$1");
            String id = inspect("{{.Id}}", repo + ":v1");
            ok("rmi", repo + ":v1", "busybox");
            assertThat(ok("images", "-q")).isBlank();

            ok("pull", repo + "@" + digest);
            assertThat(ok("images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}} {{.ID}}").trim())
                    .isEqualTo(repo + " <none> " + digest + " " + id.substring(7, 19));
            assertThat(inspect("{{json .RepoDigests}}", repo + "@" + digest)).isEqualTo("[\"" + repo + "@" + digest + "\"]");
            assertThat(ok("images", "--digests", "-f", "reference=" + repo, "--format", "{{.Digest}}").trim()).isEqualTo(digest);
            ok("rmi", repo + "@" + digest);
            ok("import", BusyboxTar.get().toString(), "busybox:latest");
        } finally {
            Shell.run("rm", "-rf", dir.toString());
        }
    }
}
