package dev.tallyman.runtime.logs;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Docker's json-file options ({@code --log-opt}).
 *
 * @param maxSize rotate once the file holds this many bytes; -1 for never (Docker's default)
 * @param maxFile how many files to keep, the live one included; 1 truncates in place (Docker's default)
 * @param attrs what each line carries in {@code attrs}: the labels and env values named by the options
 */
public record JsonFileLogOptions(long maxSize, int maxFile, Map<String, String> attrs) {
    private static final List<String> KNOWN = List.of("max-file", "max-size", "compress", "labels", "labels-regex",
            "env", "env-regex", "tag");
    // go-units' human sizes: decimal multipliers, optional "i" and "b".
    private static final Pattern SIZE = Pattern.compile("^(\\d+(\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$");

    public JsonFileLogOptions {
        attrs = Map.copyOf(attrs);
        if (maxSize == 0 || maxSize < -1) {
            throw new IllegalArgumentException("max-size must be a positive number");
        }
        if (maxFile < 1) {
            throw new IllegalArgumentException("max-file cannot be less than 1");
        }
    }

    /** No rotation, no attrs: Docker's json-file without options. */
    public static JsonFileLogOptions defaults() {
        return new JsonFileLogOptions(-1, 1, Map.of());
    }

    /**
     * Reads {@code --log-opt}s the way Docker's json-file driver does, taking the attrs from the container's
     * labels and environment ({@code KEY=value}) as Docker's {@code labels}, {@code labels-regex}, {@code env},
     * {@code env-regex} select them; {@code tag} is kept as given (no template expansion).
     *
     * @throws IllegalArgumentException with Docker's message for an unknown option or a bad value
     */
    public static JsonFileLogOptions parse(Map<String, String> logOpts, Map<String, String> labels, List<String> env) {
        for (String key : logOpts.keySet()) {
            if (!KNOWN.contains(key)) {
                throw new IllegalArgumentException("unknown log opt '" + key + "' for json-file log driver");
            }
        }
        long maxSize = -1;
        if (logOpts.containsKey("max-size")) {
            maxSize = humanSize(logOpts.get("max-size"));
            if (maxSize <= 0) {
                throw new IllegalArgumentException("max-size must be a positive number");
            }
        }
        int maxFile = 1;
        if (logOpts.containsKey("max-file")) {
            String text = logOpts.get("max-file");
            try {
                maxFile = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("strconv.Atoi: parsing \"" + text + "\": invalid syntax");
            }
            if (maxFile < 1) {
                throw new IllegalArgumentException("max-file cannot be less than 1");
            }
        }
        if (Boolean.parseBoolean(logOpts.getOrDefault("compress", "false"))) {
            // Docker gzips rotated files; Tallyman does not, and says so rather than pretending.
            throw new IllegalArgumentException("compress is not supported by tallyman's json-file log driver");
        }
        Map<String, String> attrs = new TreeMap<>();
        Map<String, String> envValues = new TreeMap<>();
        for (String entry : env) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                envValues.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        select(attrs, labels, logOpts.get("labels"), logOpts.get("labels-regex"));
        select(attrs, envValues, logOpts.get("env"), logOpts.get("env-regex"));
        String tag = logOpts.get("tag");
        if (tag != null && !tag.isEmpty()) {
            attrs.put("tag", tag);
        }
        return new JsonFileLogOptions(maxSize, maxFile, attrs);
    }

    private static void select(Map<String, String> attrs, Map<String, String> source, String names, String regex) {
        if (names != null && !names.isEmpty()) {
            for (String name : names.split(",")) {
                if (source.containsKey(name)) {
                    attrs.put(name, source.get(name));
                }
            }
        }
        if (regex != null && !regex.isEmpty()) {
            Pattern pattern;
            try {
                pattern = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("error parsing regexp: " + e.getDescription() + ": `" + regex + "`");
            }
            source.forEach((key, value) -> {
                if (pattern.matcher(key).find()) {
                    attrs.put(key, value);
                }
            });
        }
    }

    /** go-units' FromHumanSize: "10m" = 10,000,000 bytes (decimal, as Docker reads max-size). */
    static long humanSize(String text) {
        Matcher matcher = SIZE.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("invalid size: '" + text + "'");
        }
        double size;
        try {
            size = Double.parseDouble(matcher.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid size: '" + text + "'");
        }
        String unit = matcher.group(3);
        long multiplier = 1;
        if (unit != null) {
            int power = "kmgtp".indexOf(Character.toLowerCase(unit.charAt(0))) + 1;
            for (int i = 0; i < power; i++) {
                multiplier *= 1000;
            }
        }
        return (long) (size * multiplier);
    }
}
