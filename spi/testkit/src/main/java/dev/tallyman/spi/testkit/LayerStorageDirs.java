package dev.tallyman.spi.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Makes {@code @TempDir} folders under /var/lib/tallyman-test/storage: on the root file system, never on
 * a tmpfs /tmp, because overlayfs refuses some file systems as upper dir and vfs copies would fill memory.
 */
public final class LayerStorageDirs implements TempDirFactory {
    public static final Path BASE = Path.of("/var/lib/tallyman-test/storage");

    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws Exception {
        Files.createDirectories(BASE);
        return Files.createTempDirectory(BASE, context.getRequiredTestMethod().getName() + "-");
    }
}
