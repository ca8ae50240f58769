package dev.tallyman.network.bridge;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Deletes veths on a background thread, all that are queued in one batch, so that leaving a network does not
 * wait for the kernel's teardown of the pair. Pending removals can be awaited by name or all together.
 */
final class VethRemover {
    private static final Logger LOG = Logger.getLogger(VethRemover.class.getName());

    /** Deletes the named links; a link already gone is not a failure. */
    interface Deleter {
        void delete(List<String> names) throws IOException;
    }

    private final Deleter deleter;
    private final Map<String, CompletableFuture<Void>> pending = new LinkedHashMap<>();
    private final List<String> queued = new ArrayList<>();
    private Thread worker;
    private boolean hooked;

    VethRemover(Deleter deleter) {
        this.deleter = deleter;
    }

    /**
     * Waits at most {@code millis} for every pending removal: at JVM exit, so that a veth of a container
     * disconnected just before the service stopped does not outlive the disconnect in its running container.
     */
    void awaitAll(long millis) {
        List<CompletableFuture<Void>> all;
        synchronized (this) {
            all = List.copyOf(pending.values());
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .exceptionally(e -> null).get(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            LOG.warning("bridge: veth removals still pending at exit: " + pending.keySet());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Queues {@code name} for deletion; queuing one that is pending already changes nothing. */
    synchronized void remove(String name) {
        if (pending.containsKey(name)) {
            return;
        }
        pending.put(name, new CompletableFuture<>());
        queued.add(name);
        if (worker == null) {
            worker = new Thread(this::drain, "bridge-veth-remover");
            worker.setDaemon(true);
            worker.start();
        }
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> awaitAll(5000), "bridge-veth-remover-exit"));
        }
    }

    /** Waits until {@code name}, if it is pending, has been deleted (or its deletion failed). */
    void await(String name) {
        CompletableFuture<Void> future;
        synchronized (this) {
            future = pending.get(name);
        }
        if (future != null) {
            future.exceptionally(e -> null).join();
        }
    }

    void awaitAll() {
        List<CompletableFuture<Void>> all;
        synchronized (this) {
            all = List.copyOf(pending.values());
        }
        for (CompletableFuture<Void> future : all) {
            future.exceptionally(e -> null).join();
        }
    }

    private void drain() {
        while (true) {
            List<String> batch;
            synchronized (this) {
                if (queued.isEmpty()) {
                    worker = null;
                    return;
                }
                batch = List.copyOf(queued);
                queued.clear();
            }
            Throwable failure = null;
            try {
                deleter.delete(batch);
            } catch (IOException | RuntimeException e) {
                failure = e;
                LOG.log(Level.WARNING, "bridge: remove veths " + batch + ": " + e.getMessage());
            }
            synchronized (this) {
                for (String name : batch) {
                    CompletableFuture<Void> future = pending.remove(name);
                    if (failure == null) {
                        future.complete(null);
                    } else {
                        future.completeExceptionally(failure);
                    }
                }
            }
        }
    }
}
