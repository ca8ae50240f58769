package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Prometheus metrics on the API socket (issue 13): a scrape of GET /metrics shows the containers by state, the
 * images, the API requests by route and status with latency buckets, the event store's appends and batches, the
 * relay lag, and, after a restart that found a container dead, the reconciler's action.
 */
class MetricsIT extends ContainerItSupport {
    @Override
    protected String instanceName() {
        return "opr-metrics";
    }

    private String scrape() {
        CommandResult result = tallyman.api("GET", "/metrics", null);
        assertThat(result.stdout()).as(result.toString()).endsWith("\n200");
        return result.stdout();
    }

    @Test
    void metricsOfContainersRequestsAndTheRecord() throws Exception {
        String id = ok("run", "-d", "--name", "opr-sleeper", "busybox", "sleep", "600").trim();
        ok("create", "--name", "opr-idle", "busybox", "true");
        exits(1, "inspect", "opr-nosuch");

        String metrics = scrape();
        assertThat(metrics).contains("# TYPE engine_daemon_container_states_containers gauge");
        assertThat(metrics).contains("engine_daemon_container_states_containers{state=\"running\"} 1.0",
                "engine_daemon_container_states_containers{state=\"stopped\"} 1.0",
                "engine_daemon_container_states_containers{state=\"paused\"} 0.0",
                "tallyman_containers{state=\"created\"} 1.0", "tallyman_images 1.0");
        // requests by route template (never by container id), method and status, with buckets
        assertThat(metrics).contains("tallyman_api_requests_seconds_count{method=\"POST\",route=\"/containers/create\",status=\"201\"}");
        assertThat(metrics).containsPattern("tallyman_api_requests_seconds_count\\{method=\"GET\",route=\"/containers/:(id|name)/json\",status=\"404\"\\} [1-9]");
        assertThat(metrics).containsPattern("tallyman_api_requests_seconds_bucket\\{[^}]*route=\"/containers/:name/start\",status=\"204\"[^}]*\\} [1-9]");
        assertThat(metrics).doesNotContain(id.substring(0, 12));
        // the event store: append latency, commit time, batch sizes, relay lag
        assertThat(metrics).containsPattern("tallyman_events_append_seconds_count\\{outcome=\"ok\"\\} [1-9]");
        assertThat(metrics).containsPattern("tallyman_events_commit_seconds_count [1-9]");
        assertThat(metrics).containsPattern("tallyman_events_batch_events_bucket\\{le=\"1(\\.0)?\"\\} [1-9]");
        assertThat(metrics).containsPattern("tallyman_events_batch_appends_count [1-9]");
        assertThat(metrics).contains("tallyman_events_relay_lag_events 0.0");
        // the JVM's own, for the footprint
        assertThat(metrics).contains("jvm_memory_used_bytes");

        // A container that dies while the service is away: the boot reconciler records the death, and says so.
        assertThat(metrics).doesNotContain("tallyman_reconciler_actions_total");
        tallyman.kill();
        Shell.run("runc", "--root", tallyman.runcRoot().toString(), "kill", id, "KILL");
        eventually(Duration.ofSeconds(10), () -> Shell.run("runc", "--root", tallyman.runcRoot().toString(), "state", id).stdout(),
                state -> !state.contains("\"running\""));
        tallyman.start();
        assertThat(scrape()).containsPattern("tallyman_reconciler_actions_total\\{event=\"container.died\"\\} 1\\.0");
        assertThat(scrape()).contains("engine_daemon_container_states_containers{state=\"running\"} 0.0");
        ok("rm", "opr-sleeper", "opr-idle");
    }
}
