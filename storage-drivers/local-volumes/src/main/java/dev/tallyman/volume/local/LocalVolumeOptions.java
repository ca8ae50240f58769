package dev.tallyman.volume.local;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.storage.MountSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The local driver's {@code -o} options, as Docker's: {@code type} and {@code device} go to mount(2) as file
 * system type and source, {@code o} is mount(8)'s comma-separated option text. {@code type=tmpfs,device=tmpfs,o=size=64m}
 * is a tmpfs; {@code type=none,o=bind,device=/path} binds a host folder. No options: a plain folder.
 */
record LocalVolumeOptions(Map<String, String> values) {
    private static final Set<String> KNOWN = Set.of("type", "device", "o");

    LocalVolumeOptions {
        values = Map.copyOf(values);
    }

    /** Docker's checks and wording: unknown keys, and type, device and o each needing the others. */
    static LocalVolumeOptions validate(String volume, Map<String, String> options) {
        for (String key : options.keySet().stream().sorted().toList()) {
            if (!KNOWN.contains(key)) {
                throw invalid(volume, "invalid option: \"" + key + "\"");
            }
        }
        requires(volume, options, "device", "type");
        requires(volume, options, "type", "device");
        requires(volume, options, "o", "device");
        requires(volume, options, "o", "type");
        return new LocalVolumeOptions(options);
    }

    private static void requires(String volume, Map<String, String> options, String given, String needed) {
        if (options.containsKey(given) && !options.containsKey(needed)) {
            throw invalid(volume, "missing required option: \"" + needed + "\"");
        }
    }

    private static DriverException invalid(String volume, String cause) {
        return new DriverException(DriverException.Kind.INVALID_ARGUMENT, LocalVolumeDriver.NAME, "create volume", volume, cause);
    }

    /** The mount that makes the volume usable, or empty for a plain folder. */
    Optional<MountSpec> mount() {
        String type = values.get("type");
        if (type == null || type.isEmpty()) {
            return Optional.empty();
        }
        List<String> words = new ArrayList<>();
        String o = values.getOrDefault("o", "");
        for (String word : o.split(",")) {
            if (!word.isBlank()) {
                words.add(word.trim());
            }
        }
        // type=none with o=bind is Docker's spelling of a bind mount; mount(2) ignores the type of a bind.
        return Optional.of(new MountSpec(type, values.get("device"), words));
    }
}
