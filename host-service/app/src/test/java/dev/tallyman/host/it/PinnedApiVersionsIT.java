package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The docker CLI pinned to older API versions with DOCKER_API_VERSION, as users of old scripts and of clients
 * that pin a version do (issue 13): 1.24 (the oldest served), 1.32 (Testcontainers' fallback) and 1.41
 * (docker-py's default). Everyday commands work, and the answers carry what those versions had.
 */
class PinnedApiVersionsIT extends ContainerItSupport {

    @Override
    protected String instanceName() {
        return "apv-pinned";
    }

    /** The CLI with the version pinned; fails the test unless it exits 0. */
    private String pinned(String version, String... args) {
        List<String> command = new ArrayList<>();
        command.add("/usr/local/bin/docker");
        command.addAll(List.of(args));
        CommandResult r = Shell.run(command, Map.of("DOCKER_HOST", tallyman.dockerHost(),
                "DOCKER_CONFIG", "/tmp/tallyman-it-docker-config", "DOCKER_API_VERSION", version), null, 120);
        assertThat(r.exitCode()).as("DOCKER_API_VERSION=" + version + " docker " + String.join(" ", args) + "\n" + r).isZero();
        return r.stdout();
    }

    @ParameterizedTest(name = "DOCKER_API_VERSION={0}")
    @ValueSource(strings = {"1.24", "1.32", "1.41"})
    void everydayCommandsWorkWithThePinnedVersion(String version) {
        String tag = "apv-" + version.replace(".", "");
        long since = Instant.now().getEpochSecond() - 1;
        assertThat(pinned(version, "version", "--format", "{{.Client.APIVersion}} {{.Server.APIVersion}}").trim())
                .isEqualTo(version + " 1.50");
        assertThat(pinned(version, "run", "--rm", "busybox", "echo", "hello " + version).trim()).isEqualTo("hello " + version);

        pinned(version, "network", "create", tag + "-net");
        pinned(version, "volume", "create", tag + "-vol");
        String id = pinned(version, "run", "-d", "--name", tag, "--network", tag + "-net", "--network-alias", "web",
                "-v", tag + "-vol:/data", "busybox", "sh", "-c", "echo started; exec sleep 300").trim();
        try {
            assertThat(pinned(version, "ps", "--format", "{{.Names}} {{.Status}}")).contains(tag + " Up");
            assertThat(pinned(version, "inspect", "--format", "{{.State.Status}}", tag).trim()).isEqualTo("running");
            // Below 1.45 the short id (here also the hostname) is one of the aliases on a user network.
            String endpoint = pinned(version, "inspect", "--format", "{{json (index .NetworkSettings.Networks \"" + tag + "-net\")}}", tag);
            assertThat(endpoint).contains("\"Aliases\":[\"web\",\"" + id.substring(0, 12) + "\"]");
            assertThat(pinned(version, "exec", tag, "sh", "-c", "echo out; echo err >&2").lines()).contains("out");
            eventually(java.time.Duration.ofSeconds(10), () -> pinned(version, "logs", tag), out -> out.contains("started"));
            assertThat(pinned(version, "images", "--format", "{{.Repository}}:{{.Tag}}")).contains("busybox:latest");
            assertThat(pinned(version, "image", "inspect", "--format", "{{.Os}}", "busybox").trim()).isEqualTo("linux");
            assertThat(pinned(version, "info", "--format", "{{.ServerVersion}}").trim()).isEqualTo("28.2.0");
            if (!version.equals("1.24")) {
                // system df came with 1.25; the CLI does not ask an older server for it
                assertThat(pinned(version, "system", "df", "--format", "{{.Type}}").lines()).contains("Images", "Containers");
            }
            assertThat(pinned(version, "network", "ls", "--format", "{{.Name}}").lines()).contains("bridge", tag + "-net");
            assertThat(pinned(version, "volume", "ls", "--format", "{{.Name}}").lines()).contains(tag + "-vol");
            pinned(version, "stop", "-t", "1", tag);
            long until = Instant.now().getEpochSecond() + 1;
            assertThat(pinned(version, "events", "--since", Long.toString(since), "--until", Long.toString(until),
                    "--filter", "container=" + id, "--format", "{{.Status}} {{.ID}}").lines())
                    .contains("create " + id, "start " + id, "die " + id);
        } finally {
            tallyman.docker("rm", "-f", tag);
            tallyman.docker("network", "rm", tag + "-net");
            tallyman.docker("volume", "rm", tag + "-vol");
        }
    }

    @Test
    void theCurrentVersionListsNoShortIdAmongTheAliases() {
        ok("network", "create", "apv-cur-net");
        String id = ok("run", "-d", "--name", "apv-cur", "--network", "apv-cur-net", "--network-alias", "web",
                "busybox", "sleep", "300").trim();
        try {
            String endpoint = inspect("{{json (index .NetworkSettings.Networks \"apv-cur-net\")}}", "apv-cur");
            assertThat(endpoint).contains("\"Aliases\":[\"web\"]").contains("\"DNSNames\":").contains("\"GwPriority\":");
            assertThat(tallyman.api("GET", "/v1.44/containers/" + id + "/json", null).stdout())
                    .contains("\"Aliases\":[\"web\",\"" + id.substring(0, 12) + "\"]").contains("\"DNSNames\":");
            ok("run", "-d", "--name", "apv-host", "--hostname", "named-host", "--network", "apv-cur-net", "busybox", "sleep", "300");
            String hostId = inspect("{{.Id}}", "apv-host");
            assertThat(tallyman.api("GET", "/v1.41/containers/apv-host/json", null).stdout())
                    .contains("\"Aliases\":[\"" + hostId.substring(0, 12) + "\",\"named-host\"]");
        } finally {
            tallyman.docker("rm", "-f", "apv-cur", "apv-host");
            tallyman.docker("network", "rm", "apv-cur-net");
        }
    }

    @Test
    void aStartBodyIsRefusedAsDockerRefusesIt() {
        String id = ok("create", "--name", "apv-body", "busybox", "true").trim();
        try {
            assertThat(tallyman.api("POST", "/v1.24/containers/" + id + "/start", "{\"Binds\":[\"/tmp:/tmp\"]}").stdout())
                    .isEqualTo("{\"message\":\"starting container with non-empty request body was deprecated since API v1.22"
                            + " and removed in v1.24\"}\n400");
            assertThat(lastRefusal()).startsWith("POST /containers/:name/start " + id + " 400");
            assertThat(tallyman.api("POST", "/v1.24/containers/" + id + "/start", "{}").stdout()).endsWith("\n204");
        } finally {
            tallyman.docker("rm", "-f", "apv-body");
        }
    }

    @Test
    void createTakesAPlatformFrom141AndIgnoresItBefore() {
        String body = "{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}";
        CommandResult refused = tallyman.api("POST", "/v1.41/containers/create?name=apv-arm&platform=linux/arm64", body);
        assertThat(refused.stdout()).contains("image platform linux/arm64 is not supported").endsWith("\n400");
        assertThat(tallyman.api("POST", "/v1.41/containers/create?name=apv-amd&platform=linux/amd64", body).stdout()).endsWith("\n201");
        assertThat(tallyman.api("POST", "/v1.40/containers/create?name=apv-old&platform=linux/arm64", body).stdout()).endsWith("\n201");
        tallyman.docker("rm", "-f", "apv-amd", "apv-old");
    }

    @Test
    void stopTakesASignalOnlyFrom142() {
        ok("run", "-d", "--name", "apv-sig", "busybox", "sleep", "300");
        try {
            assertThat(tallyman.api("POST", "/v1.50/containers/apv-sig/stop?t=1&signal=NOSUCH", null).stdout()).endsWith("\n400");
            assertThat(tallyman.api("POST", "/v1.41/containers/apv-sig/stop?t=1&signal=NOSUCH", null).stdout()).endsWith("\n204");
            assertThat(inspect("{{.State.Status}}", "apv-sig")).isEqualTo("exited");
        } finally {
            tallyman.docker("rm", "-f", "apv-sig");
        }
    }

    @Test
    void waitTakesAConditionOnlyFrom130() {
        exits(3, "run", "--name", "apv-wait", "busybox", "sh", "-c", "exit 3");
        try {
            assertThat(tallyman.api("POST", "/v1.30/containers/apv-wait/wait?condition=bogus", null).stdout())
                    .isEqualTo("{\"message\":\"invalid condition: bogus\"}\n400");
            assertThat(tallyman.api("POST", "/v1.29/containers/apv-wait/wait?condition=bogus", null).stdout())
                    .contains("\"StatusCode\":3").endsWith("\n200");
        } finally {
            tallyman.docker("rm", "-f", "apv-wait");
        }
    }
}
