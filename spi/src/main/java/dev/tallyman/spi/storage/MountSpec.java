package dev.tallyman.spi.storage;

import java.util.List;

/**
 * One mount(2) call, described: {@code mount(source, target, type, flags from options, data from options)}.
 * The target is given when the description is performed. Options use mount(8) words
 * ({@code ro}, {@code bind}, {@code lowerdir=...}); {@link dev.tallyman.spi.linux.Mounts} splits flags from data.
 */
public record MountSpec(String type, String source, List<String> options) {
    public MountSpec {
        options = List.copyOf(options);
    }
}
