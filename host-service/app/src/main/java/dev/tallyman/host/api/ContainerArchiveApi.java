package dev.tallyman.host.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.files.ContainerFilesHandler;
import dev.tallyman.host.commands.files.PathStat;
import dev.tallyman.host.commands.images.CommitContainerHandler;
import dev.tallyman.host.commands.images.CommitContainerHandler.ContainerConfigOverrides;
import dev.tallyman.host.commands.images.ImportImageHandler;
import dev.tallyman.images.archive.ImportedImage;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.spi.storage.Change;
import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container's files over the API: docker cp (HEAD, GET and PUT /containers/{id}/archive), docker export,
 * docker diff (/changes) and docker commit (POST /commit).
 */
public final class ContainerArchiveApi {
    static final String STAT_HEADER = "X-Docker-Container-Path-Stat";

    private final ContainerFilesHandler files;
    private final CommitContainerHandler committer;
    private final Path scratch;

    public ContainerArchiveApi(ContainerFilesHandler files, CommitContainerHandler committer, Path scratch) {
        this.files = files;
        this.committer = committer;
        this.scratch = scratch;
    }

    public void register(ApiRouter router) {
        router.head("/containers/:name/archive", this::stat);
        router.get("/containers/:name/archive", this::archive);
        router.put("/containers/:name/archive", this::extract);
        router.get("/containers/:name/export", this::export);
        router.get("/containers/:name/changes", this::changes);
        router.postJson("/commit", this::commit);
    }

    private void stat(ApiRequest request) throws Exception {
        PathStat stat = files.stat(request.path("name"), request.query("path", ""));
        request.response().putHeader(STAT_HEADER, header(request, stat)).putHeader("Content-Type", "application/json");
        request.response().setStatusCode(200).end();
    }

    private void archive(ApiRequest request) {
        ResponseOutput out = new ResponseOutput(request.response(), "application/x-tar");
        files.archive(request.path("name"), request.query("path", ""), stat -> {
            request.response().putHeader(STAT_HEADER, header(request, stat));
            return out;
        }, request.commandContext());
    }

    private void extract(ApiRequest request) throws Exception {
        String name = request.path("name");
        String path = request.query("path", "");
        Path body = RequestBodies.spool(request, scratch, "copy-");
        try (InputStream in = Files.newInputStream(body)) {
            files.extract(name, path, in, request.flag("noOverwriteDirNonDir"), request.flag("copyUIDGID"),
                    request.commandContext());
        } finally {
            Files.deleteIfExists(body);
        }
        request.response().setStatusCode(200).end();
    }

    private void export(ApiRequest request) throws Exception {
        ResponseOutput out = new ResponseOutput(request.response(), "application/x-tar");
        files.export(request.path("name"), out, request.commandContext());
        out.close();
    }

    /** Docker's kinds: 0 modified, 1 added, 2 deleted. */
    private void changes(ApiRequest request) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Change change : files.changes(request.path("name"))) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Path", change.path());
            row.put("Kind", switch (change.kind()) {
                case MODIFIED -> 0;
                case ADDED -> 1;
                case DELETED -> 2;
            });
            rows.add(row);
        }
        request.json(200, rows);
    }

    /** docker commit: 201 with the new image's id. The body, when not null, overrides parts of the container's config. */
    private void commit(ApiRequest request) throws Exception {
        String container = request.query("container", "");
        if (container.isEmpty()) {
            throw EngineException.invalid("No container name or ID supplied");
        }
        Optional<ImageReference> reference = ImportImageHandler.referenceOf(request.query("repo", ""), request.query("tag", ""));
        boolean pause = request.query("pause").map(p -> request.flag("pause")).orElse(true);
        List<String> changes = request.routing().queryParam("changes");
        ImportedImage image = committer.handle(container, reference, request.query("author", ""),
                request.query("comment", ""), changes, overrides(request), pause, request.commandContext());
        request.json(201, Map.of("Id", image.imageId().toString()));
    }

    private static Optional<ContainerConfigOverrides> overrides(ApiRequest request) throws Exception {
        Buffer body = request.routing().body().buffer();
        if (body == null || body.length() == 0) {
            return Optional.empty();
        }
        JsonNode config;
        try {
            config = request.mapper().readTree(body.getBytes());
        } catch (java.io.IOException e) {
            throw EngineException.invalid("invalid JSON: " + e.getMessage());
        }
        if (config == null || !config.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new ContainerConfigOverrides(text(config, "User"), list(config, "Env"), list(config, "Cmd"),
                list(config, "Entrypoint"), text(config, "WorkingDir"), labels(config)));
    }

    private static Optional<String> text(JsonNode config, String field) {
        JsonNode v = config.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? Optional.empty() : Optional.of(v.asText());
    }

    private static Optional<List<String>> list(JsonNode config, String field) {
        JsonNode v = config.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        List<String> values = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(e -> values.add(e.asText()));
        } else {
            values.add(v.asText());
        }
        return values.isEmpty() ? Optional.empty() : Optional.of(values);
    }

    private static Optional<Map<String, String>> labels(JsonNode config) {
        JsonNode v = config.get("Labels");
        if (v == null || !v.isObject() || v.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> labels = new LinkedHashMap<>();
        v.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return Optional.of(labels);
    }

    private static String header(ApiRequest request, PathStat stat) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", stat.name());
        m.put("size", stat.size());
        m.put("mode", stat.mode());
        m.put("mtime", stat.mtime().toString());
        m.put("linkTarget", stat.linkTarget());
        try {
            return Base64.getEncoder().encodeToString(request.mapper().writeValueAsString(m).getBytes(StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw EngineException.system("encode path stat: " + e.getMessage(), e);
        }
    }
}
