package dev.tallyman.host.projections;

import dev.tallyman.audit.event.ContainerEvent;
import dev.tallyman.audit.event.ContainerEvent.ContainerCreateFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerDied;
import dev.tallyman.audit.event.ContainerEvent.ContainerRemoved;
import dev.tallyman.audit.event.ContainerEvent.ContainerStartFailed;
import dev.tallyman.audit.store.RecordedEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Futures for docker wait and for attach streams: completed when the projection applies the event that ends
 * a run (died, start failed) or the container itself (removed). Listens to {@link Projections}.
 */
public final class ContainerWaits {

    /** Docker's wait conditions. */
    public enum Condition { NOT_RUNNING, NEXT_EXIT, REMOVED }

    /** A run's end: its exit code and, when the process never ran, why. */
    public record Exit(int exitCode, String error) {
    }

    private final Map<String, List<CompletableFuture<Exit>>> nextExit = new HashMap<>();
    private final Map<String, List<CompletableFuture<Exit>>> removed = new HashMap<>();
    private final Map<String, Exit> lastExit = new HashMap<>();
    /** Names of living --rm containers, so their exits stay answerable by name after the removal. */
    private final Map<String, String> autoRemoveNames = new HashMap<>();
    /** Exits of the last removed --rm containers, by id and by name: a client may ask after the removal. */
    private final Map<String, Exit> removedExits = new java.util.LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Exit> eldest) {
            return size() > 512;
        }
    };

    /**
     * The exit of an --rm container that is already gone, by its id, a unique id prefix or its name. docker-py's
     * {@code containers.run(auto_remove=True)} starts, then waits: a short run can be removed before the wait
     * arrives, and Docker, slower to remove, answers that wait with the exit code.
     */
    public synchronized java.util.Optional<Exit> removedExit(String reference) {
        Exit exact = removedExits.get(reference.startsWith("/") ? reference.substring(1) : reference);
        if (exact != null) {
            return java.util.Optional.of(exact);
        }
        List<Exit> byPrefix = removedExits.entrySet().stream()
                .filter(e -> e.getKey().length() == 64 && reference.length() >= 3 && e.getKey().startsWith(reference))
                .map(Map.Entry::getValue).toList();
        return byPrefix.size() == 1 ? java.util.Optional.of(byPrefix.get(0)) : java.util.Optional.empty();
    }

    public ContainerWaits(Projections projections) {
        projections.onApplied(this::applied);
    }

    /**
     * A future for the condition, registered under the projection's lock so no event slips between the check of
     * the current state and the registration. NOT_RUNNING completes at once for a container that is not running.
     */
    public CompletableFuture<Exit> register(Projections projections, String id, Condition condition) {
        return projections.read(p -> {
            ContainerView view = p.containers().byId(id).orElse(null);
            CompletableFuture<Exit> future = new CompletableFuture<>();
            synchronized (this) {
                if (view == null) {
                    Exit last = lastExit.getOrDefault(id, new Exit(0, ""));
                    future.complete(last);
                    return future;
                }
                if (condition == Condition.NOT_RUNNING && !view.isRunning() && view.pendingIntent().isEmpty()) {
                    future.complete(new Exit(view.exitCode(), view.error()));
                    return future;
                }
                (condition == Condition.REMOVED ? removed : nextExit).computeIfAbsent(id, k -> new ArrayList<>()).add(future);
            }
            return future;
        });
    }

    private synchronized void applied(RecordedEvent recorded) {
        if (!(recorded.event() instanceof ContainerEvent event)) {
            return;
        }
        String id = event.containerId();
        if (event instanceof ContainerDied e) {
            Exit exit = new Exit(e.exitCode(), "");
            lastExit.put(id, exit);
            complete(nextExit.remove(id), exit);
        } else if (event instanceof ContainerStartFailed e) {
            Exit exit = new Exit(e.exitCode(), e.reason());
            lastExit.put(id, exit);
            complete(nextExit.remove(id), exit);
        } else if (event instanceof ContainerEvent.ContainerCreateRequested e && e.spec().autoRemove()) {
            autoRemoveNames.put(id, e.name());
        } else if (event instanceof ContainerEvent.ContainerRenamed e && autoRemoveNames.containsKey(id)) {
            autoRemoveNames.put(id, e.newName());
        } else if (event instanceof ContainerRemoved || event instanceof ContainerCreateFailed) {
            Exit exit = lastExit.getOrDefault(id, new Exit(0, ""));
            String name = autoRemoveNames.remove(id);
            if (name != null && event instanceof ContainerRemoved) {
                removedExits.put(id, exit);
                removedExits.put(name, exit);
            }
            complete(nextExit.remove(id), exit);
            complete(removed.remove(id), exit);
            lastExit.remove(id);
        }
    }

    private static void complete(List<CompletableFuture<Exit>> futures, Exit exit) {
        if (futures != null) {
            // Events are folded on the event store's writer thread: what waits on these futures (and may append
            // events itself) must run elsewhere, or it would wait for the writer from the writer.
            futures.forEach(f -> f.completeAsync(() -> exit));
        }
    }
}
