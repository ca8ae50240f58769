package dev.tallyman.host.api;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.images.ImageFailures;
import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.host.commands.images.RegistryAuth;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.registry.DistributionInspector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /distribution/{name}/json}: the registry's descriptor and platforms for a name, asked of the registry
 * each time (nothing is pulled or recorded). A failure is the registry's, with the status pull would answer.
 */
public final class DistributionApi {
    private final DistributionInspector inspector;

    public DistributionApi(DistributionInspector inspector) {
        this.inspector = inspector;
    }

    public void register(ApiRouter router) {
        router.get("/distribution/:name*/json", this::inspect);
    }

    private void inspect(ApiRequest request) {
        ImageReference reference = ImageLookup.parse(request.path("name"));
        DistributionInspector.DistributionInfo info;
        try {
            info = inspector.inspect(reference, RegistryAuth.fromHeader(request.routing().request().getHeader("X-Registry-Auth")));
        } catch (dev.tallyman.images.registry.RegistryException e) {
            // A registry out of reach is the network's state, not a fault of Tallyman's nor of the request: 503.
            if (e.reason() == dev.tallyman.images.registry.RegistryException.Reason.UNREACHABLE) {
                throw new EngineException(EngineException.Kind.UNAVAILABLE, String.valueOf(e.getMessage()), e);
            }
            throw ImageFailures.toEngine(e);
        } catch (RuntimeException e) {
            throw ImageFailures.toEngine(e);
        }
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", info.mediaType());
        descriptor.put("digest", info.digest().toString());
        descriptor.put("size", info.size());
        List<Map<String, Object>> platforms = info.platforms().stream().map(p -> {
            // Go's OCI platform: variant only when there is one.
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("architecture", p.architecture());
            m.put("os", p.os());
            if (!p.variant().isEmpty()) {
                m.put("variant", p.variant());
            }
            return m;
        }).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Descriptor", descriptor);
        body.put("Platforms", platforms);
        request.json(200, body);
    }
}
