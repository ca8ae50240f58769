package dev.tallyman.images.config;

import dev.tallyman.images.ImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Dockerfile word rules for instruction arguments: quotes are removed, {@code \} escapes the next character,
 * and {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR:+alt}} (and their colon-less forms)
 * expand from the environment, except inside single quotes.
 */
public final class DockerfileWords {
    private final Function<String, String> env;
    private final char escape;

    /** {@code env} answers a variable's value, or null when it is unset. */
    public DockerfileWords(Function<String, String> env) {
        this(env, '\\');
    }

    /** As above, with the Dockerfile's escape character ({@code \\} or {@code `}, its escape directive). */
    public DockerfileWords(Function<String, String> env, char escape) {
        this.env = env;
        this.escape = escape;
    }

    /** The text as one word: expanded, quotes removed, whitespace kept. */
    public String word(String text) {
        List<String> words = process(text, false);
        return words.isEmpty() ? "" : words.get(0);
    }

    /** The text split into words on unquoted whitespace, each expanded with quotes removed. */
    public List<String> words(String text) {
        return process(text, true);
    }

    private List<String> process(String text, boolean split) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (split && Character.isWhitespace(c)) {
                if (inWord) {
                    result.add(current.toString());
                    current.setLength(0);
                    inWord = false;
                }
                i++;
                continue;
            }
            inWord = true;
            if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                if (end < 0) {
                    throw ImageException.invalid("unexpected end of statement while looking for matching single-quote");
                }
                current.append(text, i + 1, end);
                i = end + 1;
            } else if (c == '"') {
                i = doubleQuoted(text, i + 1, current);
            } else if (c == escape) {
                if (i + 1 < text.length()) {
                    current.append(text.charAt(i + 1));
                }
                i += 2;
            } else if (c == '$') {
                i = variable(text, i + 1, current);
            } else {
                current.append(c);
                i++;
            }
        }
        if (inWord) {
            result.add(current.toString());
        }
        return result;
    }

    private int doubleQuoted(String text, int i, StringBuilder out) {
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == escape && i + 1 < text.length()) {
                char next = text.charAt(i + 1);
                if (next == '"' || next == '$' || next == escape) {
                    out.append(next);
                } else {
                    out.append(c).append(next);
                }
                i += 2;
            } else if (c == '$') {
                i = variable(text, i + 1, out);
            } else {
                out.append(c);
                i++;
            }
        }
        throw ImageException.invalid("unexpected end of statement while looking for matching double-quote");
    }

    // i points just after '$'.
    private int variable(String text, int i, StringBuilder out) {
        if (i >= text.length()) {
            out.append('$');
            return i;
        }
        char c = text.charAt(i);
        if (c == '{') {
            int close = text.indexOf('}', i + 1);
            if (close < 0) {
                throw ImageException.invalid("missing '}' in substitution");
            }
            braced(text.substring(i + 1, close), out);
            return close + 1;
        }
        int end = i;
        while (end < text.length() && isNameChar(text.charAt(end))) {
            end++;
        }
        if (end == i) {
            out.append('$');
            return i;
        }
        String value = env.apply(text.substring(i, end));
        out.append(value == null ? "" : value);
        return end;
    }

    private void braced(String inside, StringBuilder out) {
        int end = 0;
        while (end < inside.length() && isNameChar(inside.charAt(end))) {
            end++;
        }
        String name = inside.substring(0, end);
        if (name.isEmpty()) {
            throw ImageException.invalid("bad substitution: ${" + inside + "}");
        }
        String value = env.apply(name);
        String rest = inside.substring(end);
        if (rest.isEmpty()) {
            out.append(value == null ? "" : value);
            return;
        }
        boolean colon = rest.startsWith(":");
        String op = colon ? rest.substring(1, Math.min(2, rest.length())) : rest.substring(0, 1);
        String operand = word(rest.substring(colon ? 2 : 1));
        boolean unset = value == null || (colon && value.isEmpty());
        switch (op) {
            case "-" -> out.append(unset ? operand : value);
            case "+" -> out.append(unset ? "" : operand);
            case "?" -> {
                if (unset) {
                    throw ImageException.invalid(name + ": " + (operand.isEmpty() ? "is not allowed to be unset" : operand));
                }
                out.append(value);
            }
            default -> throw ImageException.invalid("unsupported modifier (" + op + ") in substitution");
        }
    }

    private static boolean isNameChar(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /**
     * Splits an instruction's arguments on unquoted whitespace, keeping quotes and escapes (an escaped space stays
     * inside its word) for {@link #word} to read each word.
     */
    public static List<String> split(String text) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (!current.isEmpty()) {
                    result.add(current.toString());
                    current.setLength(0);
                }
                continue;
            }
            current.append(c);
            if (c == '\\' && quote != '\'' && i + 1 < text.length()) {
                current.append(text.charAt(++i));
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        if (!current.isEmpty()) {
            result.add(current.toString());
        }
        return result;
    }
}
