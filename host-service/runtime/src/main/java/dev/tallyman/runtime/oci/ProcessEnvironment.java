package dev.tallyman.runtime.oci;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a container's environment the way Docker does before handing it to runc. */
public final class ProcessEnvironment {
    /** Docker's PATH for a container whose image and command set none. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ProcessEnvironment() {
    }

    /**
     * Docker's order: PATH (default unless given), HOSTNAME, then the given entries, then TERM=xterm for a
     * terminal; a later entry for a key replaces an earlier one in place. An entry without {@code =} is dropped
     * (Docker reads such an entry from its own environment, which the API layer has already done).
     * HOME is left to runc, which sets it from the user's passwd entry.
     */
    public static List<String> merge(List<String> env, String hostname, boolean tty) {
        Map<String, String> merged = new LinkedHashMap<>();
        merged.put("PATH", DEFAULT_PATH);
        merged.put("HOSTNAME", hostname);
        for (String entry : env) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            merged.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        if (tty) {
            merged.putIfAbsent("TERM", "xterm");
        }
        List<String> result = new ArrayList<>(merged.size());
        merged.forEach((key, value) -> result.add(key + "=" + value));
        return List.copyOf(result);
    }
}
