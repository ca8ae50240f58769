package dev.tallyman.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Reports exit files as conmon writes them. On Linux the JDK's WatchService is inotify read by a thread that
 * blocks in poll(), so an exit arrives within a millisecond or so, without polling the directory.
 */
final class ExitWatcher implements Closeable {
    private static final System.Logger LOG = System.getLogger(ExitWatcher.class.getName());

    private final WatchService watcher;
    private final Thread thread;
    private final Function<String, Optional<ExitStatus>> reader;
    private final Consumer<ExitStatus> onExit;
    // conmon writes a temporary file and renames it, which may show as create and modify; report each exit once.
    private final Map<String, ExitStatus> reported = new HashMap<>();

    ExitWatcher(Path exitDir, Function<String, Optional<ExitStatus>> reader, Consumer<ExitStatus> onExit) {
        this.reader = reader;
        this.onExit = onExit;
        try {
            watcher = FileSystems.getDefault().newWatchService();
            exitDir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            throw new UncheckedIOException("watch exits in " + exitDir + ": " + e.getMessage(), e);
        }
        thread = new Thread(() -> loop(exitDir), "tallyman-exit-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(Path exitDir) {
        while (true) {
            WatchKey key;
            try {
                key = watcher.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    rescan(exitDir);
                } else {
                    report(((Path) event.context()).getFileName().toString());
                }
            }
            if (!key.reset()) {
                return;
            }
        }
    }

    private void rescan(Path exitDir) {
        try (Stream<Path> files = Files.list(exitDir)) {
            files.forEach(file -> report(file.getFileName().toString()));
        } catch (IOException e) {
            // The next event brings another chance; an exit file stays until the container is deleted.
        }
    }

    private void report(String id) {
        Optional<ExitStatus> status;
        try {
            status = reader.apply(id);
        } catch (RuntimeException e) {
            return;
        }
        if (status.isPresent() && !status.get().equals(reported.get(id))) {
            reported.put(id, status.get());
            try {
                onExit.accept(status.get());
            } catch (RuntimeException e) {
                // A failing consumer must not stop the watch for every other container; say so and go on.
                LOG.log(System.Logger.Level.ERROR, "report exit of container " + id + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        watcher.close();
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
