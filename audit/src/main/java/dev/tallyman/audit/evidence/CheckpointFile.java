package dev.tallyman.audit.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The checkpoints outside the database: one JSON object a line ({@code position, headHash, signedAt, keyId,
 * signature}), only ever appended to and flushed to disk before the checkpoint counts. Someone who can rewrite
 * the database cannot rewrite this file; {@code chattr +a} on it makes that hold for root too (optional).
 */
public final class CheckpointFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One line of the file: the checkpoint it holds, or why it holds none. */
    public record Line(int number, Checkpoint checkpoint, String unreadable) {
    }

    private final Path path;

    public CheckpointFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** Appends one line and forces it to disk. */
    public synchronized void append(Checkpoint checkpoint) {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer bytes = ByteBuffer.wrap((toJson(checkpoint) + "\n").getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("append checkpoint " + checkpoint.position() + " to " + path + ": "
                    + e.getMessage(), e);
        }
    }

    /** Every line, in file order; no file reads as no lines. */
    public List<Line> read() {
        List<Line> lines = new ArrayList<>();
        if (!Files.exists(path)) {
            return lines;
        }
        List<String> texts;
        try {
            texts = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("read checkpoints " + path + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (text.isBlank()) {
                continue;
            }
            try {
                lines.add(new Line(i + 1, fromJson(text), null));
            } catch (IOException | RuntimeException e) {
                lines.add(new Line(i + 1, null, e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        }
        return lines;
    }

    /**
     * One checkpoint as the file's line has it, without the line end: the one JSON form of a checkpoint, also the
     * value of its Kafka record.
     */
    public static String toJson(Checkpoint checkpoint) {
        ObjectNode line = JSON.createObjectNode();
        line.put("position", checkpoint.position());
        line.put("headHash", checkpoint.headHash());
        line.put("signedAt", checkpoint.signedAt().toString());
        line.put("keyId", checkpoint.keyId());
        line.put("signature", checkpoint.signature());
        try {
            return JSON.writeValueAsString(line);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint " + checkpoint.position() + " as JSON: " + e.getMessage(), e);
        }
    }

    /** Reads what {@link #toJson} wrote. */
    public static Checkpoint fromJson(String text) throws IOException {
        JsonNode node = JSON.readTree(text);
        return new Checkpoint(node.get("position").asLong(), node.get("headHash").asText(),
                Instant.parse(node.get("signedAt").asText()), node.get("keyId").asText(), node.get("signature").asText());
    }

    /** The newest checkpoint's position in the file, 0 for none. */
    public long lastPosition() {
        return read().stream().filter(l -> l.checkpoint() != null).mapToLong(l -> l.checkpoint().position()).max().orElse(0);
    }
}
