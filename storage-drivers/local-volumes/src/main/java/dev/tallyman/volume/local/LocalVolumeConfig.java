package dev.tallyman.volume.local;

import java.nio.file.Path;

/** Where the local driver keeps its volumes: {@code <data root>/volumes}, one folder per volume, as Docker does. */
public record LocalVolumeConfig(Path root) {
}
