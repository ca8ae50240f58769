package dev.tallyman.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Reads runc's own record ({@code <root>/<id>/state.json}) instead of spawning {@code runc state}: a file read
 * costs microseconds, a runc process milliseconds. runc replaces the file by rename, so a read never sees half
 * of it; the status is derived the way runc derives it: the init process (pid and start time) gone means
 * stopped, a remaining exec fifo means created, a frozen freezer cgroup means paused, else running.
 */
final class RuncStateFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    RuncStateFile(Path root) {
        this.root = root;
    }

    Optional<RuncState> read(String id) {
        Path dir = root.resolve(id);
        JsonNode state;
        try {
            state = JSON.readTree(Files.readAllBytes(dir.resolve("state.json")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("read state of container " + id + ": " + e.getMessage(), e);
        }
        int pid = state.path("init_process_pid").asInt();
        long start = state.path("init_process_start").asLong();
        Instant created = Instant.parse(state.path("created").asText());
        Path bundle = bundle(state).orElse(null);
        OptionalLong actualStart = HostProcess.alive(pid) ? HostProcess.startTime(pid) : OptionalLong.empty();
        RuncState.Status status;
        if (actualStart.isEmpty() || actualStart.getAsLong() != start) {
            return Optional.of(new RuncState(id, RuncState.Status.STOPPED, 0, bundle, created));
        } else if (Files.exists(dir.resolve("exec.fifo"))) {
            status = RuncState.Status.CREATED;
        } else if (frozen(state)) {
            status = RuncState.Status.PAUSED;
        } else {
            status = RuncState.Status.RUNNING;
        }
        return Optional.of(new RuncState(id, status, pid, bundle, created));
    }

    /** Ids with a state.json, as {@code runc list} finds them. */
    List<String> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(dir -> Files.isRegularFile(dir.resolve("state.json")))
                    .forEach(dir -> ids.add(dir.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("list containers in " + root + ": " + e.getMessage(), e);
        }
        ids.sort(null);
        return List.copyOf(ids);
    }

    private static Optional<Path> bundle(JsonNode state) {
        for (JsonNode label : state.path("config").path("labels")) {
            String text = label.asText();
            if (text.startsWith("bundle=")) {
                return Optional.of(Path.of(text.substring("bundle=".length())));
            }
        }
        return Optional.empty();
    }

    private static boolean frozen(JsonNode state) {
        JsonNode paths = state.path("cgroup_paths");
        try {
            if (paths.hasNonNull("freezer")) {
                Path file = Path.of(paths.get("freezer").asText(), "freezer.state");
                return Files.exists(file) && Files.readString(file).trim().equals("FROZEN");
            }
            if (paths.hasNonNull("")) {
                Path file = Path.of(paths.get("").asText(), "cgroup.freeze");
                return Files.exists(file) && Files.readString(file).trim().equals("1");
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
