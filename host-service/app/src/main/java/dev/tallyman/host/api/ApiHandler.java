package dev.tallyman.host.api;

/** Answers one route. Runs on a worker thread, so it may block. */
@FunctionalInterface
public interface ApiHandler {
    void handle(ApiRequest request) throws Exception;
}
