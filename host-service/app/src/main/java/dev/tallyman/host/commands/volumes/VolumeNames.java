package dev.tallyman.host.commands.volumes;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.spi.volume.VolumeSpec;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Volume names: Docker's rule for them, and the random 64 hex digits an anonymous volume gets. */
public final class VolumeNames {
    private static final SecureRandom RANDOM = new SecureRandom();

    private VolumeNames() {
    }

    public static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Docker's 400 for a name the local driver cannot hold. */
    public static String check(String name) {
        if (!VolumeSpec.isValidName(name)) {
            throw EngineException.invalid("create " + name + ": \"" + name + "\" includes invalid characters for a local volume name,"
                    + " only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
        }
        return name;
    }
}
