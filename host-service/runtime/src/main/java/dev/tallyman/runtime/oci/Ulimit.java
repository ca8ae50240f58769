package dev.tallyman.runtime.oci;

import java.util.List;

/**
 * One {@code --ulimit name=soft[:hard]}; -1 means unlimited ({@code infinity}).
 *
 * @param name Docker's name: core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio,
 *             rttime, sigpending, stack
 */
public record Ulimit(String name, long soft, long hard) {
    /** The names Docker accepts ("as" is left out, as Docker does). */
    public static final List<String> NAMES = List.of("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue",
            "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack");

    public Ulimit {
        if (!NAMES.contains(name)) {
            throw new SpecificationException("invalid ulimit type: " + name);
        }
        if (hard != -1) {
            if (soft == -1) {
                throw new SpecificationException("ulimit soft limit must be less than or equal to hard limit: "
                        + "soft: -1 (unlimited), hard: " + hard);
            }
            if (soft > hard) {
                throw new SpecificationException("ulimit soft limit must be less than or equal to hard limit: "
                        + soft + " > " + hard);
            }
        }
    }

    /**
     * Parses the CLI's {@code name=soft[:hard]} (a missing hard equals soft) with the CLI's messages.
     *
     * @throws SpecificationException for a malformed text, an unknown name or soft above hard
     */
    public static Ulimit parse(String text) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw new SpecificationException("invalid ulimit argument: " + text);
        }
        String name = text.substring(0, eq);
        if (!NAMES.contains(name)) {
            throw new SpecificationException("invalid ulimit type: " + name);
        }
        String[] values = text.substring(eq + 1).split(":", -1);
        if (values.length > 2) {
            throw new SpecificationException("too many limit value arguments - " + text.substring(eq + 1)
                    + ", can only have up to two, `soft[:hard]`");
        }
        long soft = value(values[0]);
        long hard = values.length == 2 ? value(values[1]) : soft;
        return new Ulimit(name, soft, hard);
    }

    /** The OCI rlimit type, e.g. {@code RLIMIT_NOFILE}. */
    public String rlimitType() {
        return "RLIMIT_" + name.toUpperCase(java.util.Locale.ROOT);
    }

    private static long value(String text) {
        if (text.equals("infinity")) {
            return -1;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new SpecificationException("strconv.ParseInt: parsing \"" + text + "\": invalid syntax");
        }
    }
}
