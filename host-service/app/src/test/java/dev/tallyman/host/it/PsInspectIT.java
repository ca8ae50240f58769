package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker ps with its flags, filters and formats over a fixed set of containers (created, running, exited 0,
 * exited 3), and the fields of docker inspect.
 */
class PsInspectIT extends ContainerItSupport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private String created;
    private String running;
    private String exited0;
    private String exited3;

    @Override
    protected String instanceName() {
        return "psinspect";
    }

    /** Oldest to newest: created, running, exited0, exited3. */
    @BeforeAll
    void containers() {
        created = ok("create", "--name", "c-created", "--label", "tier=db", "busybox", "true").trim();
        sleep(20);
        running = ok("run", "-d", "--name", "c-running", "--label", "tier=web", "-e", "GREETING=hi", "-w", "/tmp",
                "-h", "hosty", "busybox", "sleep", "600").trim();
        sleep(20);
        ok("run", "--name", "c-exited0", "busybox", "true");
        exited0 = inspect("{{.Id}}", "c-exited0");
        sleep(20);
        exits(3, "run", "--name", "c-exited3", "busybox", "sh", "-c", "exit 3");
        exited3 = inspect("{{.Id}}", "c-exited3");
    }

    private List<String> names(String... psArgs) {
        List<String> args = new java.util.ArrayList<>(List.of("ps"));
        args.addAll(List.of(psArgs));
        args.addAll(List.of("--format", "{{.Names}}"));
        return ok(args.toArray(String[]::new)).lines().toList();
    }

    @Test
    void psFlags() {
        assertThat(names()).containsExactly("c-running");
        assertThat(names("-a")).containsExactly("c-exited3", "c-exited0", "c-running", "c-created");
        assertThat(names("-l")).containsExactly("c-exited3");
        assertThat(names("-n", "2")).containsExactly("c-exited3", "c-exited0");
        assertThat(ok("ps", "-q").trim()).isEqualTo(running.substring(0, 12));
        assertThat(ok("ps", "-aq").lines()).containsExactly(exited3.substring(0, 12), exited0.substring(0, 12),
                running.substring(0, 12), created.substring(0, 12));
        assertThat(ok("ps", "-q", "--no-trunc").trim()).isEqualTo(running);

        String table = ok("ps", "-a");
        assertThat(table.lines().findFirst().orElseThrow())
                .matches("CONTAINER ID\\s+IMAGE\\s+COMMAND\\s+CREATED\\s+STATUS\\s+PORTS\\s+NAMES");
        assertThat(table).contains("\"sleep 600\"").contains("Exited (3)").contains("Created");
        String sized = ok("ps", "-s", "--format", "{{.Names}} {{.Size}}");
        assertThat(sized.trim()).matches("c-running \\S+ \\(virtual \\S+\\)");
        assertThat(ok("ps", "--format", "table {{.ID}}\t{{.Image}}\t{{.Label \"tier\"}}").lines().toList())
                .hasSize(2).first().asString().matches("CONTAINER ID\\s+IMAGE\\s+(?i:tier)");
        assertThat(ok("ps", "--format", "{{json .}}")).contains("\"Names\":\"c-running\"").contains("\"State\":\"running\"");
    }

    @Test
    void psFilters() {
        assertThat(names("--filter", "status=exited")).containsExactly("c-exited3", "c-exited0");
        assertThat(names("-a", "--filter", "status=created")).containsExactly("c-created");
        assertThat(names("-a", "--filter", "status=running")).containsExactly("c-running");
        assertThat(names("-a", "--filter", "name=c-exited")).containsExactly("c-exited3", "c-exited0");
        assertThat(names("-a", "--filter", "name=^c-run")).containsExactly("c-running");
        assertThat(names("-a", "--filter", "id=" + exited0.substring(0, 10))).containsExactly("c-exited0");
        assertThat(names("-a", "--filter", "label=tier=web")).containsExactly("c-running");
        assertThat(names("-a", "--filter", "label=tier")).containsExactly("c-running", "c-created");
        assertThat(names("-a", "--filter", "ancestor=busybox")).hasSize(4);
        assertThat(names("-a", "--filter", "ancestor=busybox:latest")).hasSize(4);
        assertThat(names("-a", "--filter", "ancestor=nosuchimage")).isEmpty();
        assertThat(names("-a", "--filter", "exited=3")).containsExactly("c-exited3");
        assertThat(names("-a", "--filter", "exited=0")).containsExactly("c-exited0");
        assertThat(names("-a", "--filter", "before=c-exited0")).containsExactly("c-running", "c-created");
        assertThat(names("-a", "--filter", "since=c-running")).containsExactly("c-exited3", "c-exited0");
        String network = inspect("{{.HostConfig.NetworkMode}}", "c-running");
        assertThat(names("-a", "--filter", "network=" + network)).hasSize(4);
        assertThat(names("-a", "--filter", "network=nosuchnetwork")).isEmpty();
        assertThat(names("-a", "--filter", "status=exited", "--filter", "status=created"))
                .containsExactly("c-exited3", "c-exited0", "c-created");
        assertThat(names("-a", "--filter", "status=exited", "--filter", "label=tier")).isEmpty();
        assertThat(exits(1, "ps", "--filter", "status=bogus").stderr()).contains("invalid filter 'status=bogus'");
        assertThat(exits(1, "ps", "--filter", "colour=red").stderr()).contains("invalid filter 'colour'");
        assertThat(exits(1, "ps", "--filter", "before=nosuch").stderr()).contains("No such container: nosuch");
    }

    @Test
    void inspectShowsDockersFields() throws Exception {
        JsonNode all = JSON.readTree(ok("inspect", "c-running", "c-exited3"));
        assertThat(all.size()).isEqualTo(2);
        JsonNode c = all.get(0);
        assertThat(c.get("Id").asText()).isEqualTo(running);
        assertThat(c.get("Name").asText()).isEqualTo("/c-running");
        assertThat(c.get("Path").asText()).isEqualTo("sleep");
        assertThat(c.get("Args").toString()).isEqualTo("[\"600\"]");
        assertThat(c.get("Image").asText()).isEqualTo(inspect("{{.Id}}", "busybox"));
        JsonNode state = c.get("State");
        assertThat(state.fieldNames()).toIterable().contains("Status", "Running", "Paused", "Restarting", "OOMKilled",
                "Dead", "Pid", "ExitCode", "Error", "StartedAt", "FinishedAt");
        assertThat(state.get("Status").asText()).isEqualTo("running");
        assertThat(state.get("Pid").asLong()).isPositive();
        assertThat(Path.of("/proc", state.get("Pid").asText())).exists();

        JsonNode config = c.get("Config");
        assertThat(config.get("Hostname").asText()).isEqualTo("hosty");
        assertThat(config.get("WorkingDir").asText()).isEqualTo("/tmp");
        assertThat(config.get("Env").toString()).contains("GREETING=hi").contains("PATH=");
        assertThat(config.get("Cmd").toString()).isEqualTo("[\"sleep\",\"600\"]");
        assertThat(config.get("Image").asText()).isEqualTo("busybox");
        assertThat(config.get("Labels").get("tier").asText()).isEqualTo("web");

        JsonNode host = c.get("HostConfig");
        assertThat(host.get("NetworkMode").asText()).isNotEmpty();
        assertThat(host.get("RestartPolicy").get("Name").asText()).isIn("no", "");
        assertThat(host.get("LogConfig").get("Type").asText()).isEqualTo("json-file");
        assertThat(host.get("AutoRemove").asBoolean()).isFalse();

        assertThat(c.get("Mounts").isArray()).isTrue();
        assertThat(c.get("NetworkSettings").has("Networks")).isTrue();
        assertThat(c.get("GraphDriver").get("Name").asText()).isEqualTo("overlay2");
        assertThat(c.get("Driver").asText()).isEqualTo("overlay2");
        assertThat(Path.of(c.get("GraphDriver").get("Data").get("MergedDir").asText()).resolve("bin/busybox")).exists();
        assertThat(Files.exists(Path.of(c.get("LogPath").asText()))).isTrue();
        assertThat(c.get("RestartCount").asInt()).isZero();

        JsonNode exited = all.get(1);
        assertThat(exited.get("State").get("ExitCode").asInt()).isEqualTo(3);
        assertThat(exited.get("State").get("Pid").asInt()).isZero();
        assertThat(exited.get("State").get("Running").asBoolean()).isFalse();

        assertThat(inspect("{{.State.Status}}", "c-created")).isEqualTo("created");
        assertThat(ok("container", "inspect", "--format", "{{.Name}}", created.substring(0, 8)).trim()).isEqualTo("/c-created");
        assertThat(exits(1, "container", "inspect", "nosuch").stderr()).contains("No such container: nosuch");
    }
}
