package dev.tallyman.runtime.oci;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's tmpfs options: {@code noexec,nosuid,nodev,rprivate} first, then the user's, where a later flag replaces its
 * opposite ({@code exec} undoes {@code noexec}) and a later {@code key=value} replaces an earlier one.
 */
final class TmpfsOptions {
    private static final Map<String, String> OPPOSITES = Map.ofEntries(
            Map.entry("exec", "flags:exec"), Map.entry("noexec", "flags:exec"),
            Map.entry("suid", "flags:suid"), Map.entry("nosuid", "flags:suid"),
            Map.entry("dev", "flags:dev"), Map.entry("nodev", "flags:dev"),
            Map.entry("ro", "flags:rw"), Map.entry("rw", "flags:rw"),
            Map.entry("atime", "flags:atime"), Map.entry("noatime", "flags:atime"),
            Map.entry("strictatime", "flags:atime"), Map.entry("relatime", "flags:atime"),
            Map.entry("diratime", "flags:diratime"), Map.entry("nodiratime", "flags:diratime"),
            Map.entry("sync", "flags:sync"), Map.entry("async", "flags:sync"),
            Map.entry("private", "flags:propagation"), Map.entry("rprivate", "flags:propagation"),
            Map.entry("shared", "flags:propagation"), Map.entry("rshared", "flags:propagation"),
            Map.entry("slave", "flags:propagation"), Map.entry("rslave", "flags:propagation"));
    static final List<String> DEFAULTS = List.of("noexec", "nosuid", "nodev", "rprivate");

    private TmpfsOptions() {
    }

    static List<String> merge(List<String> user) {
        Map<String, String> byKey = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(DEFAULTS);
        for (String option : user) {
            for (String piece : option.split(",")) {
                if (!piece.isBlank()) {
                    all.add(piece.trim());
                }
            }
        }
        for (String option : all) {
            int eq = option.indexOf('=');
            String key = eq >= 0 ? "data:" + option.substring(0, eq) : OPPOSITES.getOrDefault(option, "other:" + option);
            byKey.remove(key); // keep the order of the last occurrence
            byKey.put(key, option);
        }
        return List.copyOf(byKey.values());
    }
}
