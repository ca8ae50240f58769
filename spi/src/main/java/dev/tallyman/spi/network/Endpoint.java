package dev.tallyman.spi.network;

import java.util.List;

/** One container's place on one network: the container id, its hostname, and ports to publish ("8080:80/tcp"). */
public record Endpoint(String containerId, String hostname, List<String> publishedPorts) {
    public Endpoint {
        publishedPorts = List.copyOf(publishedPorts);
    }
}
