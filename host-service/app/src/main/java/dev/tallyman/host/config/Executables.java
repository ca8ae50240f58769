package dev.tallyman.host.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds a program given as a path or as a name on PATH, as a shell would. */
final class Executables {
    private Executables() {
    }

    static Path find(String nameOrPath) {
        if (nameOrPath.contains("/")) {
            return Path.of(nameOrPath).toAbsolutePath();
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, nameOrPath);
            if (Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException("find " + nameOrPath + ": not on PATH (" + path + ")");
    }
}
