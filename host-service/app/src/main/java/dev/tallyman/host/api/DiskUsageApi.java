package dev.tallyman.host.api;

import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.host.commands.volumes.VolumeDrivers;
import dev.tallyman.host.commands.volumes.VolumeUsers;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.projections.VolumeView;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GET /system/df (docker system df): images with their own and shared layer sizes, containers with their writable
 * layers, volumes with their size and number of users, and the (empty, for now) build cache. The CLI computes the
 * reclaimable space from these, as it does against Docker.
 */
public final class DiskUsageApi {
    private final Projections projections;
    private final ImageStore images;
    private final StorageDriver storage;
    private final VolumeDrivers drivers;
    private final Clock clock;

    public DiskUsageApi(Projections projections, ImageStore images, StorageDriver storage, VolumeDrivers drivers, Clock clock) {
        this.projections = projections;
        this.images = images;
        this.storage = storage;
        this.drivers = drivers;
        this.clock = clock;
    }

    public void register(ApiRouter router) {
        router.get("/system/df", this::diskUsage);
    }

    private void diskUsage(ApiRequest request) {
        Set<String> types = new LinkedHashSet<>(request.routing().queryParam("type"));
        boolean everything = types.isEmpty();
        List<ImageView> imageViews = projections.read(p -> List.copyOf(p.images().all()));
        List<ContainerView> containers = projections.read(p -> List.copyOf(p.containers().all()));
        Map<String, Object> body = new LinkedHashMap<>();
        if (everything || types.contains("image")) {
            imagesInto(body, imageViews, containers, request.version());
        }
        if (everything || types.contains("container")) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ContainerView c : containers) {
                Map<String, Object> row = ContainerJson.summary(c, clock.instant());
                long rw = storage.inspect(LayerId.of(c.id())).map(i -> i.sizeBytes()).orElse(0L);
                long image = imageViews.stream().filter(i -> i.id().equals(c.spec().imageId())).mapToLong(ImageView::sizeBytes).sum();
                row.put("SizeRw", rw);
                row.put("SizeRootFs", rw + image);
                rows.add(row);
            }
            body.put("Containers", rows);
        }
        if (everything || types.contains("volume")) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (VolumeView v : projections.read(p -> List.copyOf(p.volumes().all()))) {
                if (!v.created()) {
                    continue;
                }
                Map<String, Object> row = VolumeApi.json(v);
                long size = drivers.find(v.driver()).map(d -> {
                    try {
                        return d.usage(v.name());
                    } catch (RuntimeException e) {
                        return -1L;
                    }
                }).orElse(-1L);
                int users = projections.read(p -> VolumeUsers.of(p, v.name()).size());
                row.put("UsageData", Map.of("Size", size, "RefCount", users));
                rows.add(row);
            }
            body.put("Volumes", rows);
        }
        if (everything || types.contains("build-cache")) {
            body.put("BuildCache", List.of());
        }
        request.json(200, body);
    }

    /** Layer sizes counted once over all images (LayersSize); an image's SharedSize is what it shares with others. */
    private void imagesInto(Map<String, Object> body, List<ImageView> imageViews, List<ContainerView> containers, ApiVersion version) {
        Map<String, List<LayerId>> layersOf = new HashMap<>();
        Map<LayerId, Integer> imagesPerLayer = new HashMap<>();
        Map<LayerId, Long> sizeOf = new HashMap<>();
        for (ImageView image : imageViews) {
            List<LayerId> layers;
            try {
                layers = images.layers(Digest.parse(image.id()));
            } catch (RuntimeException e) {
                layers = List.of();
            }
            layersOf.put(image.id(), layers);
            for (LayerId layer : new LinkedHashSet<>(layers)) {
                imagesPerLayer.merge(layer, 1, Integer::sum);
                sizeOf.computeIfAbsent(layer, l -> storage.inspect(l).map(i -> i.sizeBytes()).orElse(0L));
            }
        }
        long layersSize = sizeOf.values().stream().mapToLong(Long::longValue).sum();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ImageView image : imageViews) {
            long shared = 0;
            for (LayerId layer : new LinkedHashSet<>(layersOf.get(image.id()))) {
                if (imagesPerLayer.get(layer) > 1) {
                    shared += sizeOf.get(layer);
                }
            }
            long users = containers.stream().filter(c -> c.spec().imageId().equals(image.id())).count();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Id", image.id());
            row.put("ParentId", "");
            row.put("RepoTags", image.tags().stream().map(ImageLookup::familiar).sorted().toList());
            row.put("RepoDigests", image.repoDigests());
            row.put("Created", image.created().getEpochSecond());
            // Sizes from the same measure as LayersSize, so the CLI's reclaimable space adds up.
            long size = new LinkedHashSet<>(layersOf.get(image.id())).stream().mapToLong(sizeOf::get).sum();
            row.put("Size", size);
            row.put("SharedSize", shared);
            ImageFieldsByVersion.putVirtualSize(row, version, size);
            row.put("Labels", Map.of());
            row.put("Containers", users);
            rows.add(row);
        }
        body.put("LayersSize", layersSize);
        body.put("Images", rows);
    }
}
