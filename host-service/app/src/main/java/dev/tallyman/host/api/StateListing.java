package dev.tallyman.host.api;

import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.host.projections.Projections;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Docker's list shapes for any state, not only the live one: the audit API's time travel (issue 11) renders a
 * state folded up to a past position with the same renderers as {@code /containers/json?all=1},
 * {@code /images/json}, {@code /networks} and {@code /volumes}, unfiltered.
 */
public final class StateListing {
    private StateListing() {
    }

    /** {@code docker ps -a} as of {@code now}: every container, newest first. */
    public static List<Map<String, Object>> containers(Projections state, Instant now) {
        List<ContainerView> all = state.read(p -> List.copyOf(p.containers().all())).stream()
                .sorted(Comparator.comparing(ContainerView::created).reversed()).toList();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ContainerView c : all) {
            Map<String, Object> row = ContainerJson.summary(c, now);
            LinkJson.decorateSummary(row, c, state);
            ContainerNetworkJson.decorateSummary(row, c, state.read(p -> p.networks().networksOf(c.id())));
            row.put("Mounts", MountJson.points(c.spec(), name -> state.read(p -> p.volumes().byName(name))));
            if (c.state() == ContainerState.RUNNING && row.get("Status") instanceof String st) {
                row.put("Status", st + HealthJson.statusSuffix(state.read(p -> p.health().of(c.id()))));
            }
            rows.add(row);
        }
        return rows;
    }

    /**
     * {@code docker images -a}: every image, newest first. Labels live in the image's config, which is read from
     * the content store by {@code labels}; an image removed since has none left to show.
     */
    public static List<Map<String, Object>> images(Projections state, Function<String, Map<String, String>> labels) {
        List<ImageView> all = state.read(p -> List.copyOf(p.images().all())).stream()
                .sorted(Comparator.comparing(ImageView::created).reversed()).toList();
        Map<String, Long> containersPerImage = state.read(p -> p.containers().all().stream()
                .collect(java.util.stream.Collectors.groupingBy(c -> c.spec().imageId(), java.util.stream.Collectors.counting())));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ImageView image : all) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Id", image.id());
            row.put("ParentId", state.read(p -> p.images().parentOf(image.id())).orElse(""));
            row.put("RepoTags", image.tags().stream().map(ImageLookup::familiar).sorted().toList());
            row.put("RepoDigests", image.repoDigests());
            row.put("Created", image.created().getEpochSecond());
            row.put("Size", image.sizeBytes());
            row.put("SharedSize", -1);
            ImageFieldsByVersion.putVirtualSize(row, ApiVersion.CURRENT, image.sizeBytes());
            Map<String, String> imageLabels;
            try {
                imageLabels = labels.apply(image.id());
            } catch (RuntimeException e) {
                imageLabels = null;
            }
            row.put("Labels", imageLabels);
            row.put("Containers", containersPerImage.getOrDefault(image.id(), 0L));
            rows.add(row);
        }
        return rows;
    }

    /** {@code docker network ls} in {@code /networks}' shape, oldest first. */
    public static List<Map<String, Object>> networks(Projections state) {
        List<NetworkView> all = state.read(p -> List.copyOf(p.networks().all()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (NetworkView n : all.stream().sorted(Comparator.comparing(NetworkView::created)).toList()) {
            rows.add(NetworkJson.of(n, false, id -> state.read(p -> p.containers().byId(id).map(c -> c.name()).orElse(""))));
        }
        return rows;
    }

    /** The {@code Volumes} of {@code /volumes}. */
    public static List<Map<String, Object>> volumes(Projections state) {
        return state.read(p -> p.volumes().all().stream().filter(dev.tallyman.host.projections.VolumeView::created)
                .map(VolumeApi::json).toList());
    }
}
