package dev.tallyman.images.build;

import dev.tallyman.images.ImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Dockerfile: its instructions in order and the escape character. Parser directives
 * ({@code # escape=`}, {@code # syntax=…}) are read only at the very top, before any comment, blank line or
 * instruction, as Docker reads them; a line ending in the escape character continues on the next one; comment
 * lines are dropped, also inside a continued instruction; blank lines inside one end nothing.
 *
 * @param escape the escape character: {@code \} unless the {@code escape} directive says {@code `}
 * @param syntax the {@code syntax} directive, "" when absent (the classic builder only notes it)
 */
public record Dockerfile(List<Instruction> instructions, char escape, String syntax) {
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");

    public Dockerfile {
        instructions = List.copyOf(instructions);
    }

    public static Dockerfile parse(String text) {
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        char escape = '\\';
        String syntax = "";
        int i = 0;
        // Directives: only at the top, each name once; the first line that is not one ends them.
        List<String> seen = new ArrayList<>();
        for (; i < lines.length; i++) {
            Matcher m = DIRECTIVE.matcher(lines[i].strip());
            if (!m.matches()) {
                break;
            }
            String name = m.group(1).toLowerCase(Locale.ROOT);
            if (!name.equals("escape") && !name.equals("syntax")) {
                break;
            }
            if (seen.contains(name)) {
                throw ImageException.invalid("only one " + name + " parser directive can be used");
            }
            seen.add(name);
            if (name.equals("escape")) {
                String value = m.group(2);
                if (!value.equals("\\") && !value.equals("`")) {
                    throw ImageException.invalid("invalid escape token '" + value + "' does not match ` or \\");
                }
                escape = value.charAt(0);
            } else {
                syntax = m.group(2);
            }
        }
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        int startLine = 0;
        for (; i < lines.length; i++) {
            String line = lines[i];
            String stripped = line.strip();
            if (stripped.startsWith("#")) {
                continue; // a comment, also between continued lines
            }
            if (pending.isEmpty() && stripped.isEmpty()) {
                continue;
            }
            if (pending.isEmpty()) {
                startLine = i + 1;
                line = line.stripLeading();
            }
            String trailing = line.stripTrailing();
            if (!trailing.isEmpty() && trailing.charAt(trailing.length() - 1) == escape) {
                pending.append(trailing, 0, trailing.length() - 1);
                continue;
            }
            if (stripped.isEmpty()) {
                continue; // an empty line inside a continued instruction
            }
            pending.append(line);
            instructions.add(Instruction.of(pending.toString(), startLine));
            pending.setLength(0);
        }
        if (!pending.toString().isBlank()) {
            instructions.add(Instruction.of(pending.toString(), startLine));
        }
        if (instructions.isEmpty()) {
            throw ImageException.invalid("the Dockerfile (Dockerfile) cannot be empty");
        }
        return new Dockerfile(instructions, escape, syntax);
    }
}
