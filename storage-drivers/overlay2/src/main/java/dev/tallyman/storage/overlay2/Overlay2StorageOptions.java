package dev.tallyman.storage.overlay2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What overlay2 makes of {@code --storage-opt}. Docker's overlay2 knows one key, {@code size}, and honours it
 * only on xfs mounted with project quotas; elsewhere it refuses with the message kept here. Tallyman does not
 * set project quotas yet, so on such an xfs the size is refused too, saying so rather than ignoring it.
 */
final class Overlay2StorageOptions {
    static final String NOT_XFS = "--storage-opt is supported only for overlay over xfs with 'pquota' mount option";

    private Overlay2StorageOptions() {
    }

    static Optional<String> refusal(Path root, Map<String, String> options) {
        for (String key : options.keySet()) {
            if (!key.equalsIgnoreCase("size")) {
                return Optional.of("Unknown option " + key);
            }
        }
        if (!xfsWithProjectQuota(root)) {
            return Optional.of(NOT_XFS);
        }
        return Optional.of("overlay2: --storage-opt size: project quotas on xfs are not implemented by Tallyman yet");
    }

    /** The file system holding {@code root}: the mountinfo line with the longest mount point above it. */
    static boolean xfsWithProjectQuota(Path root) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            return false;
        }
        String best = "";
        String bestLine = "";
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length < 5) {
                continue;
            }
            String point = f[4].replace("\\040", " ");
            boolean above = root.toString().equals(point) || point.equals("/") || root.toString().startsWith(point + "/");
            if (above && point.length() >= best.length()) {
                best = point;
                bestLine = line;
            }
        }
        int dash = bestLine.indexOf(" - ");
        if (dash < 0) {
            return false;
        }
        String[] tail = bestLine.substring(dash + 3).split(" ");
        return tail.length >= 3 && tail[0].equals("xfs") && (tail[2].contains("prjquota") || tail[2].contains("pquota"));
    }
}
