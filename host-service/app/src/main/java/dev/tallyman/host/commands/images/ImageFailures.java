package dev.tallyman.host.commands.images;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.images.ImageException;
import dev.tallyman.spi.DriverException;
import java.io.UncheckedIOException;

/** The images module's failures as the API answers them: the module's kind picks Docker's status. */
public final class ImageFailures {
    private ImageFailures() {
    }

    /** Whether a failure comes from the work itself (registry, archive, driver, disk) rather than from a bug. */
    static boolean isExpected(RuntimeException e) {
        return e instanceof ImageException || e instanceof DriverException || e instanceof UncheckedIOException
                || e instanceof EngineException;
    }

    public static EngineException toEngine(RuntimeException e) {
        if (e instanceof EngineException engine) {
            return engine;
        }
        String message = String.valueOf(e.getMessage());
        if (e instanceof ImageException image) {
            return switch (image.kind()) {
                case INVALID_PARAMETER -> EngineException.invalid(message);
                case NOT_FOUND -> EngineException.notFound(message);
                case CONFLICT -> EngineException.conflict(message);
                case SYSTEM -> EngineException.system(message, e);
            };
        }
        if (e instanceof DriverException driver && driver.kind() == DriverException.Kind.NOT_FOUND) {
            return EngineException.notFound(message);
        }
        return EngineException.system(message, e);
    }
}
