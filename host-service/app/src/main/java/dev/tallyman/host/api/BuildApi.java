package dev.tallyman.host.api;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.images.BuildImage;
import dev.tallyman.host.commands.images.BuildImageHandler;
import dev.tallyman.host.commands.images.BuildOutput;
import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.images.ImageException;
import dev.tallyman.images.build.BuildContext;
import dev.tallyman.images.reference.ImageReference;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * POST /build: Docker's classic builder. The context (the request body, a tar) is spooled to disk and unpacked
 * there; the answer is Docker's JSON stream ({@code stream} lines, the {@code aux} image id, and a failure as
 * {@code errorDetail}). A request refused before the build starts (a bad tag, no Dockerfile, a parse error)
 * is Docker's 400 instead.
 */
public final class BuildApi {
    private final BuildImageHandler handler;
    private final Path scratch;

    public BuildApi(BuildImageHandler handler, Path scratch) {
        this.handler = handler;
        this.scratch = scratch;
    }

    public void register(ApiRouter router) {
        router.post("/build", this::build);
    }

    private void build(ApiRequest request) throws Exception {
        if (request.query("remote").filter(r -> !r.isEmpty()).isPresent()) {
            throw EngineException.invalid("remote build contexts are not supported: " + request.query("remote").get()
                    + " (this engine has no internet access; send the context as the request body)");
        }
        List<ImageReference> tags = new ArrayList<>();
        for (String t : request.routing().queryParam("t")) {
            if (!t.isEmpty()) {
                tags.add(ImageLookup.parse(t));
            }
        }
        Map<String, Optional<String>> buildArgs = new LinkedHashMap<>();
        jsonMap(request, "buildargs").forEach((k, v) -> buildArgs.put(k, Optional.ofNullable(v)));
        Map<String, String> labels = new LinkedHashMap<>();
        jsonMap(request, "labels").forEach((k, v) -> labels.put(k, v == null ? "" : v));
        String dockerfile = request.query("dockerfile", "Dockerfile");
        boolean remove = request.query("rm").map(v -> !(v.equals("0") || v.equalsIgnoreCase("false"))).orElse(true);

        Path body = RequestBodies.spool(request, scratch, "build-");
        Path root = scratch.resolve("build-context-" + request.commandContext().correlationId());
        ProgressStream stream = new ProgressStream(request);
        try {
            BuildContext context;
            try (InputStream in = Files.newInputStream(body)) {
                context = BuildContext.unpack(in, root, dockerfile);
            } catch (ImageException e) {
                throw EngineException.invalid(e.getMessage());
            } finally {
                Files.deleteIfExists(body);
            }
            BuildImage command = new BuildImage(context, dockerfile, tags, request.flag("q"), request.flag("nocache"),
                    request.flag("pull"), remove, request.flag("forcerm"), buildArgs, labels,
                    request.query("target", ""), request.query("networkmode", ""));
            handler.handle(command, new BuildOutput() {
                @Override
                public void text(String text) {
                    stream.stream(text);
                }

                @Override
                public void imageId(String imageId) {
                    stream.aux(Map.of("ID", imageId));
                }
            }, request.commandContext());
        } catch (EngineException e) {
            if (!stream.started() && !e.isOnRecord()) {
                throw e; // refused before the build began: Docker's status and message, recorded as a refusal
            }
            stream.error(e.getMessage());
        } finally {
            Files.deleteIfExists(body);
            BuildContext.delete(root);
        }
        stream.end();
    }

    private static Map<String, String> jsonMap(ApiRequest request, String name) {
        Optional<String> text = request.query(name).filter(t -> !t.isBlank());
        if (text.isEmpty()) {
            return Map.of();
        }
        try {
            Map<String, String> map = request.mapper().readValue(text.get(), new TypeReference<LinkedHashMap<String, String>>() { });
            return map == null ? Map.of() : map;
        } catch (Exception e) {
            throw EngineException.invalid("invalid " + name + " JSON: " + e.getMessage());
        }
    }
}
