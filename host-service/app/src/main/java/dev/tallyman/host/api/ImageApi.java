package dev.tallyman.host.api;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.host.commands.images.ImportImageHandler;
import dev.tallyman.host.commands.images.PruneImagesHandler;
import dev.tallyman.host.commands.images.RemoveImageHandler;
import dev.tallyman.host.commands.images.TagImageHandler;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.images.config.ContainerConfig;
import dev.tallyman.images.config.HistoryEntry;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.store.ImageStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The /images routes. */
public final class ImageApi {
    private final Projections projections;
    private final ImageLookup lookup;
    private final ImageStore store;
    private final ImportImageHandler importer;
    private final TagImageHandler tagger;
    private final RemoveImageHandler remover;
    private final PruneImagesHandler pruner;
    private final ApiHandler pull;
    private final Path scratch;

    /** @param pull answers POST /images/create without fromSrc: a pull ({@link RegistryApi}) */
    public ImageApi(Projections projections, ImageLookup lookup, ImageStore store, ImportImageHandler importer,
                    TagImageHandler tagger, RemoveImageHandler remover, PruneImagesHandler pruner, ApiHandler pull,
                    Path scratch) {
        this.projections = projections;
        this.lookup = lookup;
        this.store = store;
        this.importer = importer;
        this.tagger = tagger;
        this.remover = remover;
        this.pruner = pruner;
        this.pull = pull;
        this.scratch = scratch;
    }

    public void register(ApiRouter router) {
        router.post("/images/create", this::create);
        router.post("/images/prune", this::prune);
        router.get("/images/json", this::list);
        router.get("/images/:name*/json", this::inspect);
        router.get("/images/:name*/history", this::history);
        router.post("/images/:name*/tag", this::tag);
        router.delete("/images/:name*", this::remove);
    }

    /** POST /images/create: import when fromSrc is given, else a pull of fromImage. */
    private void create(ApiRequest request) throws Exception {
        Optional<String> fromSrc = request.query("fromSrc");
        if (fromSrc.isEmpty()) {
            pull.handle(request);
            return;
        }
        if (!fromSrc.get().equals("-")) {
            throw EngineException.invalid("import from a URL is not supported: " + fromSrc.get() + " (send the archive as the request body)");
        }
        Optional<ImageReference> reference = ImportImageHandler.referenceOf(request.query("repo", ""), request.query("tag", ""));
        List<String> changes = request.routing().queryParam("changes");
        String message = request.query("message", "");
        Path body = RequestBodies.spool(request, scratch, "import-");
        try (InputStream in = Files.newInputStream(body)) {
            Digest id = importer.handle(in, reference, "-", changes, message, request.commandContext());
            request.response().setStatusCode(200).putHeader("Content-Type", "application/json");
            request.response().end(request.mapper().writeValueAsString(Map.of("status", id.toString())) + "\r\n");
        } finally {
            Files.deleteIfExists(body);
        }
    }

    private static final java.util.Set<String> IMAGE_FILTERS = java.util.Set.of("reference", "dangling", "before", "since", "label", "until");

    /** docker images: -a, --digests, and the filters reference, dangling, before, since, label. */
    private void list(ApiRequest request) {
        Filters filters = Filters.parse(request.query("filters", ""), request.mapper(), IMAGE_FILTERS);
        for (String d : filters.get("dangling")) {
            if (!d.equals("true") && !d.equals("false") && !d.equals("1") && !d.equals("0")) {
                throw EngineException.invalid("Invalid filter 'dangling=" + d + "'");
            }
        }
        // Old clients send the reference as "filter"; newer ones as a filter.
        List<String> references = new ArrayList<>(filters.get("reference"));
        request.query("filter").filter(f -> !f.isEmpty()).ifPresent(references::add);
        Optional<java.time.Instant> before = filters.get("before").stream().findFirst().map(r -> lookup.require(r).created());
        Optional<java.time.Instant> since = filters.get("since").stream().findFirst().map(r -> lookup.require(r).created());
        List<ImageView> images = projections.read(p -> List.copyOf(p.images().all())).stream()
                .filter(i -> filters.matchesAny("dangling", d -> (d.equals("true") || d.equals("1")) == PruneImagesHandler.isDangling(i)))
                // As Docker: with a reference filter an image shows only its matching references, and one with none is left out.
                .filter(i -> references.isEmpty() || !matching(i.tags().stream().map(ImageLookup::familiar).toList(), references).isEmpty()
                        || !matching(i.repoDigests(), references).isEmpty())
                .filter(i -> filters.matchesAny("label", l -> Filters.labelMatches(labelsOf(i), l)))
                .filter(i -> before.map(b -> i.created().isBefore(b)).orElse(true))
                .filter(i -> since.map(b -> i.created().isAfter(b)).orElse(true))
                // As Docker: without -a, untagged images that a build step made another image from stay hidden.
                .filter(i -> request.flag("all") || !i.tags().isEmpty()
                        || !projections.read(p -> p.images().hasChildren(i.id())))
                .sorted(Comparator.comparing(ImageView::created).reversed())
                .toList();
        Map<String, Long> containersPerImage = projections.read(p -> p.containers().all().stream()
                .collect(java.util.stream.Collectors.groupingBy(c -> c.spec().imageId(), java.util.stream.Collectors.counting())));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ImageView image : images) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Id", image.id());
            row.put("ParentId", projections.read(p -> p.images().parentOf(image.id())).orElse(""));
            List<String> tags = image.tags().stream().map(ImageLookup::familiar).sorted().toList();
            row.put("RepoTags", references.isEmpty() ? tags : matching(tags, references));
            row.put("RepoDigests", references.isEmpty() ? image.repoDigests() : matching(image.repoDigests(), references));
            row.put("Created", image.created().getEpochSecond());
            row.put("Size", image.sizeBytes());
            row.put("SharedSize", -1);
            ImageFieldsByVersion.putVirtualSize(row, request.version(), image.sizeBytes());
            row.put("Labels", labelsOf(image));
            ImageFieldsByVersion.shapeListRow(row, request.version(), containersPerImage.getOrDefault(image.id(), 0L));
            rows.add(row);
        }
        request.json(200, rows);
    }

    /** The references (familiar form) that match any of the patterns. */
    private static List<String> matching(List<String> references, List<String> patterns) {
        return references.stream().filter(r -> patterns.stream().anyMatch(p -> ReferencePattern.matches(p, r))).toList();
    }

    private Map<String, String> labelsOf(ImageView image) {
        return store.config(Digest.parse(image.id())).config().labels();
    }

    private void inspect(ApiRequest request) {
        ImageView image = lookup.require(request.path("name"));
        ImageConfig config = store.config(Digest.parse(image.id()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", image.id());
        m.put("RepoTags", image.tags().stream().map(ImageLookup::familiar).sorted().toList());
        m.put("RepoDigests", image.repoDigests());
        m.put("Parent", "");
        m.put("Comment", commentOf(config));
        m.put("Created", config.created().map(DockerTime::rfc3339).orElse(DockerTime.ZERO));
        m.put("DockerVersion", "");
        m.put("Author", config.author());
        m.put("Config", containerConfig(config.config()));
        m.put("Architecture", config.architecture());
        m.put("Os", config.os());
        m.put("Size", image.sizeBytes());
        ImageFieldsByVersion.putVirtualSize(m, request.version(), image.sizeBytes());
        ImageFieldsByVersion.putBuildContainer(m);
        m.put("GraphDriver", Map.of("Name", store.driver().name(), "Data", Map.of()));
        m.put("RootFS", Map.of("Type", "layers", "Layers", config.diffIds().stream().map(Digest::toString).toList()));
        m.put("Metadata", Map.of("LastTagTime", DockerTime.ZERO));
        request.json(200, List.of(m).get(0));
    }

    /** Docker shows the newest history entry's comment when the config has none (import -m keeps it there). */
    private static String commentOf(ImageConfig config) {
        if (!config.comment().isEmpty() || config.history().isEmpty()) {
            return config.comment();
        }
        return config.history().get(config.history().size() - 1).comment();
    }

    private static void putNanos(Map<String, Object> m, String key, java.time.Duration d) {
        if (!d.isZero()) {
            m.put(key, d.toNanos());
        }
    }

    private static Map<String, Object> containerConfig(ContainerConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Hostname", "");
        m.put("Domainname", "");
        m.put("User", c.user());
        m.put("AttachStdin", false);
        m.put("AttachStdout", false);
        m.put("AttachStderr", false);
        m.put("Tty", false);
        m.put("OpenStdin", false);
        m.put("StdinOnce", false);
        m.put("Env", c.env().isEmpty() ? null : c.env());
        m.put("Cmd", c.cmd().isEmpty() ? null : c.cmd());
        m.put("Image", "");
        m.put("Volumes", c.volumes().isEmpty() ? null : c.volumes().stream().collect(java.util.stream.Collectors.toMap(v -> v, v -> Map.of())));
        m.put("WorkingDir", c.workingDir());
        m.put("Entrypoint", c.entrypoint().isEmpty() ? null : c.entrypoint());
        m.put("OnBuild", c.onBuild().isEmpty() ? null : c.onBuild());
        m.put("Labels", c.labels().isEmpty() ? null : c.labels());
        if (!c.exposedPorts().isEmpty()) {
            m.put("ExposedPorts", c.exposedPorts().stream().collect(java.util.stream.Collectors.toMap(p -> p, p -> Map.of())));
        }
        if (!c.stopSignal().isEmpty()) {
            m.put("StopSignal", c.stopSignal());
        }
        if (!c.shell().isEmpty()) {
            m.put("Shell", c.shell());
        }
        c.healthcheck().ifPresent(h -> {
            // Docker's HealthConfig: durations in nanoseconds, zero values left out.
            Map<String, Object> health = new LinkedHashMap<>();
            health.put("Test", h.test());
            putNanos(health, "Interval", h.interval());
            putNanos(health, "Timeout", h.timeout());
            putNanos(health, "StartPeriod", h.startPeriod());
            putNanos(health, "StartInterval", h.startInterval());
            if (h.retries() != 0) {
                health.put("Retries", h.retries());
            }
            m.put("Healthcheck", health);
        });
        return m;
    }

    /**
     * docker history: newest step first. A step that made a layer shows that layer's size; the newest step of
     * an image that is here too (the base of a commit) shows that image's id and tags, others "<missing>".
     */
    private void history(ApiRequest request) {
        ImageView image = lookup.require(request.path("name"));
        ImageConfig config = store.config(Digest.parse(image.id()));
        List<dev.tallyman.spi.storage.LayerId> layers = dev.tallyman.images.config.ChainIds.layerIds(config.diffIds());
        List<ImageView> local = projections.read(p -> List.copyOf(p.images().all()));
        List<Map<String, Object>> rows = new ArrayList<>();
        int layer = 0;
        for (int step = 0; step < config.history().size(); step++) {
            HistoryEntry entry = config.history().get(step);
            long size = 0;
            if (!entry.emptyLayer() && layer < layers.size()) {
                size = store.driver().inspect(layers.get(layer)).map(dev.tallyman.spi.storage.LayerInfo::sizeBytes).orElse(0L);
                layer++;
            }
            Optional<ImageView> owner = step == config.history().size() - 1 ? Optional.of(image)
                    : ownerOfStep(local, config, step + 1, layer);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Id", owner.map(ImageView::id).orElse("<missing>"));
            row.put("Created", entry.created().map(java.time.Instant::getEpochSecond).orElse(0L));
            row.put("CreatedBy", entry.createdBy());
            row.put("Tags", owner.map(o -> o.tags().stream().map(ImageLookup::familiar).sorted().toList()).orElse(null));
            row.put("Size", size);
            row.put("Comment", entry.comment());
            rows.add(row);
        }
        java.util.Collections.reverse(rows);
        request.json(200, rows);
    }

    /** A local image whose whole history and layers are the first {@code steps} steps and {@code layers} layers of this one. */
    private Optional<ImageView> ownerOfStep(List<ImageView> local, ImageConfig config, int steps, int layers) {
        List<String> diffIds = config.diffIds().subList(0, layers).stream().map(Digest::toString).toList();
        for (ImageView candidate : local) {
            if (!candidate.diffIds().equals(diffIds)) {
                continue;
            }
            ImageConfig other = store.config(Digest.parse(candidate.id()));
            if (other.history().equals(config.history().subList(0, steps))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** A prune "until" value: a unix time, an RFC 3339 time, or a duration back from now (24h, 90m). */
    private static java.time.Instant untilOf(String value) {
        try {
            if (value.matches("[0-9]+(\\.[0-9]+)?")) {
                return java.time.Instant.ofEpochSecond((long) Double.parseDouble(value));
            }
            if (value.matches("([0-9]+(\\.[0-9]+)?(h|m|s|ms))+")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(h|ms|m|s)").matcher(value);
                double seconds = 0;
                while (m.find()) {
                    double n = Double.parseDouble(m.group(1));
                    seconds += switch (m.group(2)) {
                        case "h" -> n * 3600;
                        case "m" -> n * 60;
                        case "ms" -> n / 1000;
                        default -> n;
                    };
                }
                return java.time.Instant.now().minusMillis((long) (seconds * 1000));
            }
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (RuntimeException e) {
            throw EngineException.invalid("invalid filter 'until=" + value + "'");
        }
    }

    /** docker image prune: dangling images (or with -a every unused one), as rmi would remove them. */
    private void prune(ApiRequest request) {
        Filters filters = Filters.parse(request.query("filters", ""), request.mapper(), java.util.Set.of("dangling", "label", "label!", "until"));
        boolean danglingOnly = filters.get("dangling").stream().noneMatch(d -> d.equals("false") || d.equals("0"));
        java.util.function.Predicate<ImageView> also = i -> filters.matchesAny("label", l -> Filters.labelMatches(labelsOf(i), l))
                && filters.get("label!").stream().noneMatch(l -> Filters.labelMatches(labelsOf(i), l))
                && filters.get("until").stream().allMatch(u -> i.created().isBefore(untilOf(u)));
        PruneImagesHandler.Pruned pruned = pruner.handle(danglingOnly, also, request.commandContext());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ImagesDeleted", pruned.deleted().isEmpty() ? null : pruned.deleted());
        answer.put("SpaceReclaimed", pruned.spaceReclaimed());
        request.json(200, answer);
    }

    private void tag(ApiRequest request) {
        tagger.handle(request.path("name"), request.query("repo", ""), request.query("tag", ""), request.commandContext());
        request.response().setStatusCode(201).end();
    }

    private void remove(ApiRequest request) {
        request.json(200, remover.handle(request.path("name"), request.flag("force"), request.commandContext()));
    }
}
