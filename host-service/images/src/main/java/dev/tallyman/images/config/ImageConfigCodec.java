package dev.tallyman.images.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tallyman.images.ImageException;
import dev.tallyman.images.reference.Digest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns an {@link ImageConfig} into the bytes stored as its blob, and any image config (ours, Docker's, an
 * OCI registry's) back into an {@link ImageConfig}. Encoding is deterministic: equal configs give equal bytes,
 * hence equal image ids. Decoding ignores fields Tallyman does not keep; the stored bytes stay as they were.
 */
public final class ImageConfigCodec {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private ImageConfigCodec() {
    }

    /** The config's canonical JSON bytes; the image id is {@code Digest.sha256(encode(config))}. */
    public static byte[] encode(ImageConfig image) {
        ImageConfigJson.Image json = new ImageConfigJson.Image(
                image.architecture(),
                emptyToNull(image.author()),
                emptyToNull(image.comment()),
                toJson(image.config()),
                image.created().map(Instant::toString).orElse(null),
                image.history().stream().map(ImageConfigCodec::toJson).toList(),
                image.os(),
                new ImageConfigJson.RootFs("layers", image.diffIds().stream().map(Digest::toString).toList()));
        try {
            return JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.SYSTEM, "encode image config: " + e.getMessage(), e);
        }
    }

    /** Reads an image config; malformed JSON or a bad diff id fails with INVALID_PARAMETER. */
    public static ImageConfig decode(byte[] bytes) {
        ImageConfigJson.Image json;
        try {
            json = JSON.readValue(bytes, ImageConfigJson.Image.class);
        } catch (IOException e) {
            throw ImageException.invalid("decode image config: " + originalMessage(e));
        }
        if (json == null) {
            throw ImageException.invalid("decode image config: empty document");
        }
        List<Digest> diffIds = json.rootfs() == null || json.rootfs().diffIds() == null
                ? List.of()
                : json.rootfs().diffIds().stream().map(Digest::parse).toList();
        List<HistoryEntry> history = json.history() == null
                ? List.of()
                : json.history().stream().map(ImageConfigCodec::fromJson).toList();
        return new ImageConfig(
                nullToEmpty(json.architecture()),
                nullToEmpty(json.os()),
                time(json.created()),
                json.author(),
                json.comment(),
                fromJson(json.config()),
                diffIds,
                history);
    }

    private static ImageConfigJson.Config toJson(ContainerConfig c) {
        return new ImageConfigJson.Config(
                emptyToNull(c.user()),
                emptySet(c.exposedPorts()),
                emptyToNull(c.env()),
                emptyToNull(c.entrypoint()),
                emptyToNull(c.cmd()),
                c.healthcheck().map(h -> new ImageConfigJson.Health(h.test(), nanos(h.interval()),
                        nanos(h.timeout()), nanos(h.startPeriod()), nanos(h.startInterval()),
                        h.retries() == 0 ? null : h.retries()))
                        .orElse(null),
                emptySet(c.volumes()),
                emptyToNull(c.workingDir()),
                c.labels().isEmpty() ? null : new TreeMap<>(c.labels()),
                emptyToNull(c.onBuild()),
                emptyToNull(c.stopSignal()),
                emptyToNull(c.shell()));
    }

    private static ContainerConfig fromJson(ImageConfigJson.Config c) {
        if (c == null) {
            return ContainerConfig.EMPTY;
        }
        Optional<Healthcheck> health = Optional.ofNullable(c.healthcheck())
                .filter(h -> h.test() != null && !h.test().isEmpty())
                .map(h -> new Healthcheck(h.test(), duration(h.interval()), duration(h.timeout()),
                        duration(h.startPeriod()), duration(h.startInterval()), h.retries() == null ? 0 : h.retries()));
        return new ContainerConfig(
                c.user(),
                orEmpty(c.env()),
                orEmpty(c.cmd()),
                orEmpty(c.entrypoint()),
                c.workingDir(),
                c.labels() == null ? Map.of() : c.labels(),
                keys(c.exposedPorts()),
                keys(c.volumes()),
                c.stopSignal(),
                orEmpty(c.onBuild()),
                health,
                orEmpty(c.shell()));
    }

    private static ImageConfigJson.History toJson(HistoryEntry h) {
        return new ImageConfigJson.History(
                h.created().map(Instant::toString).orElse(null),
                emptyToNull(h.createdBy()),
                emptyToNull(h.author()),
                emptyToNull(h.comment()),
                h.emptyLayer() ? Boolean.TRUE : null);
    }

    private static HistoryEntry fromJson(ImageConfigJson.History h) {
        return new HistoryEntry(time(h.created()), h.createdBy(), h.comment(), h.author(), Boolean.TRUE.equals(h.emptyLayer()));
    }

    // Go writes RFC 3339 with any offset; zero times ("0001-01-01T00:00:00Z") mean "unknown".
    private static Optional<Instant> time(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            throw ImageException.invalid("decode image config: invalid time " + text);
        }
    }

    private static String originalMessage(IOException e) {
        return e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
    }

    private static Long nanos(Duration d) {
        return d.isZero() ? null : d.toNanos();
    }

    private static Duration duration(Long nanos) {
        return nanos == null ? Duration.ZERO : Duration.ofNanos(nanos);
    }

    private static Map<String, Map<String, Object>> emptySet(Set<String> keys) {
        if (keys.isEmpty()) {
            return null;
        }
        Map<String, Map<String, Object>> map = new LinkedHashMap<>();
        keys.forEach(k -> map.put(k, Map.of()));
        return map;
    }

    private static Set<String> keys(Map<String, ?> map) {
        return map == null ? new TreeSet<>() : new TreeSet<>(map.keySet());
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : new ArrayList<>(list);
    }

    private static <T> List<T> emptyToNull(List<T> list) {
        return list.isEmpty() ? null : list;
    }

    private static String emptyToNull(String text) {
        return text.isEmpty() ? null : text;
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}
