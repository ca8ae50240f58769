package dev.tallyman.host.commands.containers;

/** What happens after a run ends; implemented by the remove handler for containers made with --rm. */
@FunctionalInterface
public interface AutoRemover {
    /** @param runRequest the correlation id of the request that started the run, so the removal is tied to it */
    void afterRun(String containerId, java.util.UUID runRequest);
}
