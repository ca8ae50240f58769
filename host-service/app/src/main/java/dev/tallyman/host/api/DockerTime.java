package dev.tallyman.host.api;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** Times the way Docker prints them: RFC 3339 with nanoseconds in inspect, human durations in ps. */
final class DockerTime {
    /** Go's zero time, which Docker shows for "never" (e.g. FinishedAt of a running container). */
    static final String ZERO = "0001-01-01T00:00:00Z";
    private static final DateTimeFormatter RFC3339_NANO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private DockerTime() {
    }

    static String rfc3339(Instant instant) {
        return RFC3339_NANO.format(instant);
    }

    static String rfc3339(Optional<Instant> instant) {
        return instant.map(DockerTime::rfc3339).orElse(ZERO);
    }

    /** go-units HumanDuration, which docker ps uses for "Up 3 seconds" and "Exited (0) 2 minutes ago". */
    static String human(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = d.toMinutes();
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(d.toMinutes() / 60.0);
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return d.toHours() / 24 / 365 + " years";
    }

    /** Docker's since/until: unix seconds with optional fraction, or an RFC 3339 time. */
    static Instant parseSinceUntil(String text) {
        try {
            if (text.matches("[0-9]+(\\.[0-9]+)?")) {
                String[] parts = text.split("\\.");
                long seconds = Long.parseLong(parts[0]);
                long nanos = parts.length > 1 ? Long.parseLong((parts[1] + "000000000").substring(0, 9)) : 0;
                return Instant.ofEpochSecond(seconds, nanos);
            }
            return Instant.parse(text);
        } catch (RuntimeException e) {
            throw dev.tallyman.host.commands.EngineException.invalid("invalid time value: " + text);
        }
    }
}
