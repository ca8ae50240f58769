package dev.tallyman.host.commands.containers;

/** What happens after a run ends; implemented by the remove handler for containers made with --rm. */
@FunctionalInterface
public interface AutoRemover {
    void afterRun(String containerId);
}
