package dev.tallyman.images.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One Dockerfile instruction after line continuations and comments are removed.
 *
 * @param keyword   the instruction in upper case ({@code RUN})
 * @param flags     its {@code --name=value} flags in order ({@code COPY --from=build}); a bare {@code --name} has ""
 * @param arguments the rest of the line, as written (not expanded)
 * @param original  the whole instruction as Docker prints it in {@code Step n/m : …}
 * @param line      the line it starts on, from 1
 */
public record Instruction(String keyword, Map<String, String> flags, String arguments, String original, int line) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Instruction {
        keyword = keyword.toUpperCase(Locale.ROOT);
        flags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(flags));
    }

    /** Reads "KEYWORD --flag=x args" as written on one logical line. */
    static Instruction of(String logical, int line) {
        String text = logical.strip();
        String[] parts = text.split("\\s+", 2);
        String keyword = parts[0];
        String rest = parts.length > 1 ? parts[1].strip() : "";
        Map<String, String> flags = new LinkedHashMap<>();
        String upper = keyword.toUpperCase(Locale.ROOT);
        // Only these instructions take flags; for the others "--" belongs to the arguments (RUN --help is a command).
        if (List.of("FROM", "COPY", "ADD", "RUN", "HEALTHCHECK").contains(upper)) {
            while (rest.startsWith("--")) {
                String[] flagAndRest = rest.split("\\s+", 2);
                String flag = flagAndRest[0].substring(2);
                if (upper.equals("HEALTHCHECK") && flag.isEmpty()) {
                    break;
                }
                int eq = flag.indexOf('=');
                flags.put(eq < 0 ? flag : flag.substring(0, eq), eq < 0 ? "" : flag.substring(eq + 1));
                rest = flagAndRest.length > 1 ? flagAndRest[1].strip() : "";
            }
        }
        return new Instruction(keyword, flags, rest, text, line);
    }

    /** The arguments as a JSON array of strings (exec form), when they are one. */
    public Optional<List<String>> execForm() {
        return dev.tallyman.images.config.ConfigChanges.jsonArray(arguments.strip());
    }

    public Optional<String> flag(String name) {
        return Optional.ofNullable(flags.get(name));
    }
}
