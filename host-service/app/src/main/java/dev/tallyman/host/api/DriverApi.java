package dev.tallyman.host.api;

import dev.tallyman.host.plugins.DriverCatalog;
import dev.tallyman.host.plugins.DriverEntry;
import dev.tallyman.host.plugins.DriverKind;
import dev.tallyman.spi.SpiVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /tallyman/v1/drivers}: every driver offered at boot, built in or from a plugin jar, loaded or
 * refused, with the jar's path and sha256, the setting that brought it in, and the SPI versions (issue 14).
 */
public final class DriverApi {
    private final DriverCatalog catalog;
    private final String storageDriver;

    public DriverApi(DriverCatalog catalog, String storageDriver) {
        this.catalog = catalog;
        this.storageDriver = storageDriver;
    }

    public void register(ApiRouter router) {
        router.get("/tallyman/v1/drivers", this::drivers);
    }

    private void drivers(ApiRequest request) {
        List<Map<String, Object>> drivers = catalog.entries().stream().map(this::json).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("spiVersion", SpiVersion.CURRENT);
        body.put("storageDriver", storageDriver);
        body.put("drivers", drivers);
        request.json(200, body);
    }

    private Map<String, Object> json(DriverEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", e.kind().map(DriverKind::label).orElse(""));
        m.put("name", e.name());
        m.put("spiVersion", e.spiVersion());
        m.put("status", e.loaded() ? "loaded" : "refused");
        m.put("reason", e.refusal().orElse(""));
        m.put("builtIn", e.jar().isEmpty());
        m.put("jar", e.jar().map(j -> j.path().toString()).orElse(""));
        m.put("sha256", e.jar().map(j -> j.sha256()).orElse(""));
        m.put("configuredBy", e.jar().map(j -> j.configuredBy()).orElse(""));
        return m;
    }
}
