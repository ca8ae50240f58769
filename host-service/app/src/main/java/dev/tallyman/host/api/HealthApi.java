package dev.tallyman.host.api;

import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.audit.store.StoreAvailability;
import dev.tallyman.runtime.ContainerRuntime;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /tallyman/v1/health}: which part of the service is down. {@code _ping} keeps answering OK while
 * the service itself runs, as Docker's does; this says whether the event store (PostgreSQL) and the runtime
 * (runc) answer, each within {@link #CHECK_LIMIT}. 200 with status UP when both do, 503 with DEGRADED when one
 * does not, naming it and why. Reads of the projections keep working while the store is down; writes get 503.
 */
public final class HealthApi {
    static final Duration CHECK_LIMIT = Duration.ofSeconds(2);

    private final JdbcEventStore store;
    private final ContainerRuntime runtime;
    private final ExecutorService checks = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tallyman-health");
        t.setDaemon(true);
        return t;
    });

    public HealthApi(JdbcEventStore store, ContainerRuntime runtime) {
        this.store = store;
        this.runtime = runtime;
    }

    public void register(ApiRouter router) {
        router.get("/tallyman/v1/health", this::health);
    }

    private void health(ApiRequest request) {
        Future<Map<String, Object>> runtimeCheck = checks.submit(this::runtimeCheck);
        Map<String, Object> storeCheck = storeCheck(store.probe(CHECK_LIMIT));
        Map<String, Object> runtimeResult;
        try {
            runtimeResult = runtimeCheck.get(CHECK_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            runtimeCheck.cancel(true);
            runtimeResult = down("runc did not answer within " + CHECK_LIMIT.toSeconds() + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            runtimeResult = down("runc list: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runtimeResult = down("interrupted");
        }
        Map<String, Object> checksBody = new LinkedHashMap<>();
        checksBody.put("eventStore", storeCheck);
        checksBody.put("runtime", runtimeResult);
        boolean up = "UP".equals(storeCheck.get("status")) && "UP".equals(runtimeResult.get("status"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DEGRADED");
        body.put("checks", checksBody);
        request.json(up ? 200 : 503, body);
    }

    private static Map<String, Object> storeCheck(StoreAvailability availability) {
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("status", availability.up() ? "UP" : "DOWN");
        if (!availability.up()) {
            check.put("reason", availability.reason());
        }
        check.put("since", availability.since().toString());
        return check;
    }

    private Map<String, Object> runtimeCheck() {
        runtime.list();
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("status", "UP");
        return check;
    }

    private static Map<String, Object> down(String reason) {
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("status", "DOWN");
        check.put("reason", reason);
        return check;
    }
}
