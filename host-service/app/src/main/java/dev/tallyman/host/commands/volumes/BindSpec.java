package dev.tallyman.host.commands.volumes;

import dev.tallyman.audit.event.ContainerMount;
import dev.tallyman.host.commands.EngineException;
import java.util.List;
import java.util.Set;

/**
 * Docker's {@code -v} text as the CLI sends it in HostConfig.Binds: {@code source:destination[:mode]}, where a source
 * starting with '/' is a host folder and any other source names a volume, and mode is a comma-separated list of
 * {@code ro}/{@code rw}, a propagation, {@code nocopy} and the SELinux words {@code z}/{@code Z} (accepted, without effect).
 */
public final class BindSpec {
    private static final Set<String> ACCESS = Set.of("ro", "rw");
    private static final Set<String> PROPAGATION = Set.of("private", "rprivate", "shared", "rshared", "slave", "rslave");
    private static final Set<String> LABELS = Set.of("z", "Z");
    static final String DEFAULT_PROPAGATION = "rprivate";

    private BindSpec() {
    }

    /** The mount a -v entry asks for; a volume without a name (one part) gets an empty source. */
    public static ContainerMount parse(String text) {
        if (text == null || text.isBlank()) {
            throw EngineException.invalid("invalid spec: " + text + ": empty section between colons");
        }
        String[] parts = text.split(":", -1);
        for (String part : parts) {
            if (part.isEmpty()) {
                throw EngineException.invalid("invalid spec: " + text + ": empty section between colons");
            }
        }
        String source;
        String destination;
        String mode = "";
        switch (parts.length) {
            case 1 -> {
                source = "";
                destination = parts[0];
            }
            case 2 -> {
                source = parts[0];
                destination = parts[1];
            }
            case 3 -> {
                source = parts[0];
                destination = parts[1];
                mode = parts[2];
            }
            default -> throw EngineException.invalid("invalid spec: " + text + ": too many colons");
        }
        boolean bind = source.startsWith("/");
        String type = bind ? ContainerMount.BIND : ContainerMount.VOLUME;
        checkDestination(type, destination);
        if (!bind && !source.isEmpty()) {
            VolumeNames.check(source);
        }
        boolean readOnly = false;
        boolean noCopy = false;
        String propagation = bind ? DEFAULT_PROPAGATION : "";
        int access = 0;
        int propagations = 0;
        for (String word : mode.isEmpty() ? List.<String>of() : List.of(mode.split(","))) {
            if (ACCESS.contains(word)) {
                readOnly = word.equals("ro");
                access++;
            } else if (PROPAGATION.contains(word) && bind) {
                propagation = word;
                propagations++;
            } else if (word.equals("nocopy") && !bind) {
                noCopy = true;
            } else if (!LABELS.contains(word)) {
                throw EngineException.invalid("invalid mode: " + mode);
            }
        }
        if (access > 1 || propagations > 1) {
            throw EngineException.invalid("invalid mode: " + mode);
        }
        // Docker shows a named volume's mode as "z" when none was given; binds and anonymous volumes show "".
        String shownMode = mode.isEmpty() && !bind && !source.isEmpty() ? "z" : mode;
        return new ContainerMount(type, source, clean(destination), readOnly, shownMode, propagation, noCopy, "",
                source.isEmpty() ? "volumes" : "binds", text);
    }

    /** A mount destination must be absolute and not the root; Docker's words. */
    public static void checkDestination(String type, String destination) {
        if (destination == null || destination.isEmpty()) {
            throw EngineException.invalid("invalid mount config for type \"" + type + "\": field Target must not be empty");
        }
        if (!destination.startsWith("/")) {
            throw EngineException.invalid("invalid mount config for type \"" + type + "\": invalid mount path: '"
                    + destination + "' mount path must be absolute");
        }
        if (clean(destination).equals("/")) {
            throw EngineException.invalid("invalid specification: destination can't be '/'");
        }
    }

    /** The path without a trailing slash or doubled slashes, as Go's filepath.Clean leaves it. */
    public static String clean(String path) {
        String cleaned = java.nio.file.Path.of(path).normalize().toString();
        return cleaned.isEmpty() ? "/" : cleaned;
    }
}
