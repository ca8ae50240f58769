package dev.tallyman.host.api;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.host.commands.images.ImportImageHandler;
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
import io.vertx.core.file.OpenOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The /images routes. */
public final class ImageApi {
    private final Projections projections;
    private final ImageLookup lookup;
    private final ImageStore store;
    private final ImportImageHandler importer;
    private final TagImageHandler tagger;
    private final RemoveImageHandler remover;
    private final Path scratch;

    public ImageApi(Projections projections, ImageLookup lookup, ImageStore store, ImportImageHandler importer,
                    TagImageHandler tagger, RemoveImageHandler remover, Path scratch) {
        this.projections = projections;
        this.lookup = lookup;
        this.store = store;
        this.importer = importer;
        this.tagger = tagger;
        this.remover = remover;
        this.scratch = scratch;
    }

    public void register(ApiRouter router) {
        router.post("/images/create", this::create);
        router.get("/images/json", this::list);
        router.get("/images/:name*/json", this::inspect);
        router.get("/images/:name*/history", this::history);
        router.post("/images/:name*/tag", this::tag);
        router.delete("/images/:name*", this::remove);
    }

    /** POST /images/create: import when fromSrc is given; pulling (fromImage) comes with registry support. */
    private void create(ApiRequest request) throws Exception {
        Optional<String> fromSrc = request.query("fromSrc");
        if (fromSrc.isEmpty()) {
            String image = request.query("fromImage", "");
            throw EngineException.notFound("pull access denied for " + image
                    + ": pulling from registries is not available in this Tallyman yet");
        }
        if (!fromSrc.get().equals("-")) {
            throw EngineException.invalid("import from a URL is not supported: " + fromSrc.get() + " (send the archive as the request body)");
        }
        Optional<ImageReference> reference = ImportImageHandler.referenceOf(request.query("repo", ""), request.query("tag", ""));
        List<String> changes = request.routing().queryParam("changes");
        String message = request.query("message", "");
        Path body = receiveBody(request);
        try (InputStream in = Files.newInputStream(body)) {
            Digest id = importer.handle(in, reference, "-", changes, message, request.commandContext());
            request.response().setStatusCode(200).putHeader("Content-Type", "application/json");
            request.response().end(request.mapper().writeValueAsString(Map.of("status", id.toString())) + "\r\n");
        } finally {
            Files.deleteIfExists(body);
        }
    }

    /** Spools the request body to a scratch file, with Vert.x's back-pressure, before the import reads it. */
    private Path receiveBody(ApiRequest request) throws Exception {
        Files.createDirectories(scratch);
        Path file = Files.createTempFile(scratch, "import-", ".tar");
        var vertx = request.routing().vertx();
        var asyncFile = vertx.fileSystem().open(file.toString(), new OpenOptions().setWrite(true).setTruncateExisting(true))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        request.routing().request().pipeTo(asyncFile).toCompletionStage().toCompletableFuture().get(1, TimeUnit.HOURS);
        return file;
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
                .filter(i -> filters.matchesAny("dangling", d -> (d.equals("true") || d.equals("1")) == i.tags().isEmpty()))
                .filter(i -> references.isEmpty() || references.stream().anyMatch(r -> referenceMatches(i, r)))
                .filter(i -> filters.matchesAny("label", l -> ContainerApi.labelMatches(labelsOf(i), l)))
                .filter(i -> before.map(b -> i.created().isBefore(b)).orElse(true))
                .filter(i -> since.map(b -> i.created().isAfter(b)).orElse(true))
                .sorted(Comparator.comparing(ImageView::created).reversed())
                .toList();
        Map<String, Long> containersPerImage = projections.read(p -> p.containers().all().stream()
                .collect(java.util.stream.Collectors.groupingBy(c -> c.spec().imageId(), java.util.stream.Collectors.counting())));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ImageView image : images) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Id", image.id());
            row.put("ParentId", "");
            row.put("RepoTags", image.tags().stream().map(ImageLookup::familiar).sorted().toList());
            row.put("RepoDigests", image.repoDigests());
            row.put("Created", image.created().getEpochSecond());
            row.put("Size", image.sizeBytes());
            row.put("SharedSize", -1);
            row.put("VirtualSize", image.sizeBytes());
            row.put("Labels", labelsOf(image));
            row.put("Containers", containersPerImage.getOrDefault(image.id(), 0L));
            rows.add(row);
        }
        request.json(200, rows);
    }

    /** reference=busybox, busybox:1.36, busy*, localhost:5000/app:*: a glob over the familiar name and tag. */
    private static boolean referenceMatches(ImageView image, String pattern) {
        boolean hasTag = pattern.contains(":") && pattern.lastIndexOf(':') > pattern.lastIndexOf('/');
        java.nio.file.PathMatcher glob = java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        for (String tag : image.tags()) {
            String familiar = ImageLookup.familiar(tag);
            String candidate = hasTag ? familiar : familiar.substring(0, familiar.lastIndexOf(':'));
            if (glob.matches(java.nio.file.Path.of(candidate)) || candidate.equals(pattern)) {
                return true;
            }
        }
        return false;
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
        m.put("RepoDigests", List.of());
        m.put("Parent", "");
        m.put("Comment", config.comment());
        m.put("Created", config.created().map(DockerTime::rfc3339).orElse(DockerTime.ZERO));
        m.put("DockerVersion", "");
        m.put("Author", config.author());
        m.put("Config", containerConfig(config.config()));
        m.put("Architecture", config.architecture());
        m.put("Os", config.os());
        m.put("Size", image.sizeBytes());
        m.put("VirtualSize", image.sizeBytes());
        m.put("GraphDriver", Map.of("Name", store.driver().name(), "Data", Map.of()));
        m.put("RootFS", Map.of("Type", "layers", "Layers", config.diffIds().stream().map(Digest::toString).toList()));
        m.put("Metadata", Map.of("LastTagTime", DockerTime.ZERO));
        request.json(200, List.of(m).get(0));
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
        return m;
    }

    private void history(ApiRequest request) {
        ImageView image = lookup.require(request.path("name"));
        ImageConfig config = store.config(Digest.parse(image.id()));
        List<Map<String, Object>> rows = new ArrayList<>();
        List<HistoryEntry> history = new ArrayList<>(config.history());
        java.util.Collections.reverse(history);
        boolean first = true;
        for (HistoryEntry entry : history) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Id", first ? image.id() : "<missing>");
            row.put("Created", entry.created().map(java.time.Instant::getEpochSecond).orElse(0L));
            row.put("CreatedBy", entry.createdBy());
            row.put("Tags", first ? image.tags().stream().map(ImageLookup::familiar).toList() : null);
            row.put("Size", first ? image.sizeBytes() : 0);
            row.put("Comment", entry.comment());
            rows.add(row);
            first = false;
        }
        request.json(200, rows);
    }

    private void tag(ApiRequest request) {
        tagger.handle(request.path("name"), request.query("repo", ""), request.query("tag", ""), request.commandContext());
        request.response().setStatusCode(201).end();
    }

    private void remove(ApiRequest request) {
        request.json(200, remover.handle(request.path("name"), request.flag("force"), request.commandContext()));
    }
}
