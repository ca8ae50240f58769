package dev.tallyman.host.api;

import io.vertx.core.file.OpenOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Request bodies too big for memory (a tar to import, load or copy in), spooled to a scratch file. */
final class RequestBodies {
    private RequestBodies() {
    }

    /**
     * Writes the body to a new file under {@code scratch}, with Vert.x's back-pressure; the caller deletes it.
     * The router paused the request, so no byte was lost while the request waited for a worker.
     */
    static Path spool(ApiRequest request, Path scratch, String prefix) throws Exception {
        Files.createDirectories(scratch);
        Path file = Files.createTempFile(scratch, prefix, ".tar");
        try {
            var vertx = request.routing().vertx();
            var asyncFile = vertx.fileSystem().open(file.toString(), new OpenOptions().setWrite(true).setTruncateExisting(true))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            request.routing().request().pipeTo(asyncFile).toCompletionStage().toCompletableFuture().get(1, TimeUnit.HOURS);
            return file;
        } catch (Exception e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }
}
