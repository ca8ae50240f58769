package dev.tallyman.images.config;

import java.util.Locale;

/** An OS and CPU architecture in Go's words ({@code linux}, {@code amd64}), as image configs and {@code docker version} name them. */
public record Platform(String os, String architecture) {

    /** This host: Linux on the JVM's CPU, named as Go names it. */
    public static Platform host() {
        String arch = System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT);
        String goArch = switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> arch;
        };
        return new Platform("linux", goArch);
    }
}
