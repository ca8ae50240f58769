package dev.tallyman.host.api;

import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * docker images -f reference=PATTERN: a shell glob ("*" stays within one path segment) tried against a reference
 * in its familiar form ("busybox:latest", "localhost:5000/app@sha256:…"), then against its name alone, as Docker
 * matches them. So "busybox" finds every tag of busybox, "busy*:1.*" only the 1.x tags.
 */
final class ReferencePattern {
    private ReferencePattern() {
    }

    static boolean matches(String pattern, String familiar) {
        if (glob(pattern, familiar)) {
            return true;
        }
        int at = familiar.indexOf('@');
        String name = at >= 0 ? familiar.substring(0, at) : familiar;
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            name = name.substring(0, colon);
        }
        return glob(pattern, name);
    }

    private static boolean glob(String pattern, String text) {
        if (pattern.equals(text)) {
            return true;
        }
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + pattern).matches(Path.of(text));
        } catch (RuntimeException e) {
            // A pattern the glob syntax refuses ("[", say) matches only itself, as above.
            return false;
        }
    }
}
