package dev.tallyman.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** A plain folder rootfs made from the host's static /bin/busybox, with a passwd and group file. */
public final class BusyboxRootfs {
    public static final List<String> APPLETS = List.of("sh", "echo", "true", "false", "sleep", "cat", "id", "ls", "seq",
            "hostname", "head", "sort");

    private BusyboxRootfs() {
    }

    public static Path create(Path dir) throws IOException {
        return create(dir, APPLETS);
    }

    /** Links each of {@code applets} in /bin to busybox. */
    public static Path create(Path dir, List<String> applets) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : applets) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\napp:x:1000:\n");
        Files.createDirectories(dir.resolve("tmp"));
        return dir;
    }
}
