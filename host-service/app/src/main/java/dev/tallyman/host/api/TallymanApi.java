package dev.tallyman.host.api;

import dev.tallyman.audit.store.ChainVerification;
import dev.tallyman.audit.store.EventStore;
import dev.tallyman.host.projections.Projections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tallyman's own routes, beside Docker's: the state the projections hold (to compare with a rebuild from the
 * store) and the verification of the hash chain.
 */
public final class TallymanApi {
    private final Projections projections;
    private final EventStore store;

    public TallymanApi(Projections projections, EventStore store) {
        this.projections = projections;
        this.store = store;
    }

    public void register(ApiRouter router) {
        router.get("/tallyman/state", this::state);
        router.get("/tallyman/verify", this::verify);
    }

    private void state(ApiRequest request) throws java.io.IOException {
        // Maps in the projections (a network's options, labels) iterate in no fixed order: sorted keys make the
        // same state the same text, so a rebuilt state compares equal to the live one.
        byte[] body = request.mapper().writer(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .writeValueAsBytes(stateOf(projections));
        request.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                .end(io.vertx.core.buffer.Buffer.buffer(body));
    }

    /** The projections as one value; the same function renders a rebuilt projection, so the two compare equal. */
    public static Map<String, Object> stateOf(Projections projections) {
        return projections.read(p -> {
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("containers", new java.util.TreeMap<>(p.containers().snapshot()));
            state.put("images", new java.util.TreeMap<>(p.images().snapshot()));
            state.put("networks", new java.util.TreeMap<>(p.networks().snapshot()));
            state.put("volumes", new java.util.TreeMap<>(p.volumes().snapshot()));
            return state;
        });
    }

    private void verify(ApiRequest request) {
        ChainVerification result = store.verify();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("intact", result.intact());
        body.put("eventsChecked", result.eventsChecked());
        body.put("firstBroken", result.firstBroken().orElse(null));
        body.put("problem", result.problem());
        request.json(result.intact() ? 200 : 409, body);
    }
}
