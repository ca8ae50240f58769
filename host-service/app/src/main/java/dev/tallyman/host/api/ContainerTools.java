package dev.tallyman.host.api;

import dev.tallyman.runtime.ContainerRuntime;
import dev.tallyman.runtime.attach.ContainerAttach;
import dev.tallyman.runtime.top.ContainerTop;

/** The runtime's tools that queries and streams use directly, without a command: attach, top, stats. */
public record ContainerTools(ContainerRuntime runtime, ContainerAttach attach, ContainerTop top) {
}
