package dev.tallyman.host.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** The busybox rootfs tar the tests import, built once by ops/lib/busybox-rootfs from Debian's busybox-static. */
public final class BusyboxTar {
    private BusyboxTar() {
    }

    public static synchronized Path get() {
        Path tar = Path.of("target/busybox-rootfs.tar").toAbsolutePath();
        if (!Files.exists(tar)) {
            Path script = Path.of("../../ops/lib/busybox-rootfs").toAbsolutePath().normalize();
            CommandResult built = Shell.run(script.toString(), tar.toString());
            if (built.exitCode() != 0) {
                throw new AssertionError("build busybox rootfs: " + built);
            }
        }
        return tar;
    }
}
