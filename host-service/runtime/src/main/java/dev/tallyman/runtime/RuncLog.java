package dev.tallyman.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Optional;

/** runc's {@code --log-format json} output: one JSON object a line, with {@code level} and {@code msg}. */
public final class RuncLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RuncLog() {
    }

    /** The msg of the last {@code "level":"error"} line; empty when there is none. */
    public static Optional<String> lastError(String jsonLines) {
        String message = null;
        for (String line : jsonLines.split("\n")) {
            if (!line.startsWith("{")) {
                continue;
            }
            try {
                JsonNode entry = JSON.readTree(line);
                if ("error".equals(entry.path("level").asText()) && entry.hasNonNull("msg")) {
                    message = entry.get("msg").asText();
                }
            } catch (IOException e) {
                // A torn last line (runc killed mid-write) carries nothing we can use.
            }
        }
        return Optional.ofNullable(message);
    }
}
