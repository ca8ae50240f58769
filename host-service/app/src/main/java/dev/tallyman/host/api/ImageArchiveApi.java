package dev.tallyman.host.api;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.images.LoadImagesHandler;
import dev.tallyman.host.commands.images.SaveImagesHandler;
import dev.tallyman.images.archive.LoadedImage;
import dev.tallyman.images.archive.SaveRequest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.registry.Progress;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** docker save (GET /images/get, /images/{name}/get) and docker load (POST /images/load). */
public final class ImageArchiveApi {
    private final SaveImagesHandler saver;
    private final LoadImagesHandler loader;
    private final Path scratch;

    public ImageArchiveApi(SaveImagesHandler saver, LoadImagesHandler loader, Path scratch) {
        this.saver = saver;
        this.loader = loader;
        this.scratch = scratch;
    }

    public void register(ApiRouter router) {
        router.get("/images/get", r -> save(r, r.routing().queryParam("names")));
        router.get("/images/:name*/get", r -> save(r, List.of(r.path("name"))));
        router.post("/images/load", this::load);
    }

    /** Every name is resolved before the first byte: an unknown one is Docker's 404, with nothing sent. */
    private void save(ApiRequest request, List<String> names) throws Exception {
        List<String> all = new ArrayList<>();
        for (String n : names) {
            // Old clients join several names with commas in one parameter.
            for (String part : n.split(",")) {
                if (!part.isBlank()) {
                    all.add(part.trim());
                }
            }
        }
        List<SaveRequest> plan = saver.plan(all);
        ResponseOutput out = new ResponseOutput(request.response(), "application/x-tar");
        saver.save(plan, out, request.commandContext());
        out.close();
    }

    /**
     * docker load: Docker answers 200 and reports progress, the result and any failure in its JSON stream:
     * {@code Loaded image: busybox:latest} per name, {@code Loaded image ID: sha256:…} for an image without one.
     */
    private void load(ApiRequest request) throws Exception {
        boolean quiet = request.flag("quiet");
        Path body = RequestBodies.spool(request, scratch, "load-");
        ProgressStream stream = new ProgressStream(request);
        try (InputStream in = Files.newInputStream(body)) {
            List<LoadedImage> loaded = loader.handle(in, "-", (chainId, read, total) -> {
                if (!quiet) {
                    stream.on(new Progress(chainId.shortHex(), "Loading layer", read, total));
                }
            }, request.commandContext());
            for (LoadedImage image : loaded) {
                if (image.tags().isEmpty()) {
                    stream.stream("Loaded image ID: " + image.imageId() + "\n");
                }
                for (ImageReference tag : image.tags()) {
                    stream.stream("Loaded image: " + tag.familiar() + "\n");
                }
            }
        } catch (EngineException e) {
            if (!request.response().headWritten()) {
                // nothing streamed yet (an archive that is not one): a plain 4xx, as for any refused input
                throw e;
            }
            stream.error(e.getMessage());
        } finally {
            Files.deleteIfExists(body);
        }
        stream.end();
    }
}
