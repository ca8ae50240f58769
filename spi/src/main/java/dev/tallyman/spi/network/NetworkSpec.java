package dev.tallyman.spi.network;

import java.util.Map;

/** A network as the host knows it: id, user-facing name, driver options from {@code docker network create -o}. */
public record NetworkSpec(String id, String name, Map<String, String> options) {
    public NetworkSpec {
        options = Map.copyOf(options);
    }
}
