package dev.tallyman.host.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Clients that attached to a container before it started (docker run -i, docker start -ai). conmon's attach socket
 * exists from runc create on, and the process only runs at runc start; in between, the launcher hands each waiting
 * client the go-ahead and waits briefly until it has connected, so no output and no input is lost.
 */
public final class PendingAttaches {

    /** One waiting client: told when the socket exists, tells back when it has connected. */
    public static final class Waiter {
        private final CompletableFuture<Void> created = new CompletableFuture<>();
        private final CompletableFuture<Void> connected = new CompletableFuture<>();

        /** Blocks until the container's attach socket exists, or the timeout passes (false). */
        public boolean awaitCreated(long timeout, TimeUnit unit) throws InterruptedException {
            try {
                created.get(timeout, unit);
                return true;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                return false;
            }
        }

        /** Called by the client once connected (or when it gave up), so the launcher goes on. */
        public void connected() {
            connected.complete(null);
        }
    }

    private static final long CONNECT_WAIT_MILLIS = 2000;
    private final Map<String, List<Waiter>> waiting = new ConcurrentHashMap<>();

    public Waiter register(String containerId) {
        Waiter waiter = new Waiter();
        waiting.computeIfAbsent(containerId, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(waiter);
        return waiter;
    }

    public void forget(String containerId, Waiter waiter) {
        List<Waiter> list = waiting.get(containerId);
        if (list != null) {
            list.remove(waiter);
        }
    }

    /** Between runc create and runc start: lets every waiting client connect, waiting for each a short while. */
    void created(String containerId) {
        List<Waiter> list = waiting.remove(containerId);
        if (list == null) {
            return;
        }
        List<Waiter> copy;
        synchronized (list) {
            copy = List.copyOf(list);
        }
        copy.forEach(w -> w.created.complete(null));
        for (Waiter w : copy) {
            try {
                w.connected.get(CONNECT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // A client that does not connect in time misses the start of the output; the container still runs.
            }
        }
    }
}
