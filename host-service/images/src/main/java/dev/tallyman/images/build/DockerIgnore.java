package dev.tallyman.images.build;

import dev.tallyman.images.ImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@code .dockerignore}: which paths of the build context the build does not see. Docker's rules: one
 * pattern per line, {@code #} comments and blank lines skipped, each pattern cleaned as a path with any leading
 * {@code /} dropped; {@code *} and {@code ?} stay within one path component, {@code **} spans any number of
 * them, {@code [a-z]} classes and {@code \} escapes as in Go's filepath.Match; a pattern that matches a
 * folder excludes all under it; {@code !} makes a pattern an exception; the last pattern that matches a path
 * (or one of its parent folders) decides.
 */
public final class DockerIgnore {
    private record Rule(String text, Pattern regex, boolean exception) {
    }

    public static final DockerIgnore NONE = new DockerIgnore(List.of());

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static DockerIgnore parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean exception = line.startsWith("!");
            String pattern = exception ? line.substring(1).strip() : line;
            if (pattern.isEmpty()) {
                throw ImageException.invalid("illegal exclusion pattern: \"!\"");
            }
            pattern = clean(pattern);
            if (pattern.length() > 1 && pattern.startsWith("/")) {
                pattern = pattern.substring(1);
            }
            rules.add(new Rule(pattern, compile(pattern), exception));
        }
        return new DockerIgnore(rules);
    }

    /** Whether the context path ("dir/file.txt", relative, with "/" separators) is left out of the build. */
    public boolean excludes(String path) {
        String cleaned = clean(path);
        if (cleaned.startsWith("/")) {
            cleaned = cleaned.substring(1);
        }
        boolean excluded = false;
        for (Rule rule : rules) {
            if (matchesOrParentMatches(rule.regex(), cleaned)) {
                excluded = !rule.exception();
            }
        }
        return excluded;
    }

    /**
     * Whether some exception could re-include a path under this folder, so an excluded folder still has to be
     * walked (Docker walks into it only then).
     */
    public boolean hasExceptions() {
        return rules.stream().anyMatch(Rule::exception);
    }

    private static boolean matchesOrParentMatches(Pattern regex, String path) {
        if (regex.matcher(path).matches()) {
            return true;
        }
        int slash = path.indexOf('/');
        while (slash > 0) {
            if (regex.matcher(path.substring(0, slash)).matches()) {
                return true;
            }
            slash = path.indexOf('/', slash + 1);
        }
        return false;
    }

    /** Go's path.Clean: no repeated slashes, no "." components, ".." applied; "" becomes ".". */
    static String clean(String path) {
        boolean rooted = path.startsWith("/");
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty() && !parts.get(parts.size() - 1).equals("..")) {
                    parts.remove(parts.size() - 1);
                } else if (!rooted) {
                    parts.add(part);
                }
            } else {
                parts.add(part);
            }
        }
        String joined = String.join("/", parts);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    private static Pattern compile(String pattern) {
        StringBuilder regex = new StringBuilder("^");
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') {
                        i++;
                        regex.append("(.*/)?"); // "**/" is zero or more folders
                    } else {
                        regex.append(".*");
                    }
                } else {
                    regex.append("[^/]*");
                }
            } else if (c == '?') {
                regex.append("[^/]");
            } else if (c == '\\' && i + 1 < pattern.length()) {
                regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '[') {
                int close = pattern.indexOf(']', i + 1);
                if (close < 0) {
                    throw ImageException.invalid("syntax error in pattern: " + pattern);
                }
                String inside = pattern.substring(i + 1, close);
                if (inside.startsWith("^") || inside.startsWith("!")) {
                    inside = "^" + inside.substring(1);
                }
                regex.append('[').append(inside.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                i = close;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        regex.append('$');
        try {
            return Pattern.compile(regex.toString());
        } catch (PatternSyntaxException e) {
            throw ImageException.invalid("syntax error in pattern: " + pattern);
        }
    }
}
