package dev.tallyman.spi.storage;

/** One path that a layer added, changed or deleted against its parent; path is absolute inside the rootfs. */
public record Change(Kind kind, String path) {
    public enum Kind { ADDED, MODIFIED, DELETED }
}
