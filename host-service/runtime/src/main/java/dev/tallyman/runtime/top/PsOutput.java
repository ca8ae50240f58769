package dev.tallyman.runtime.top;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Docker's reading of ps' output: the header, and the rows whose PID is one of the container's. */
final class PsOutput {
    /** {@code -o name=PID...}: renaming another column to PID would fool the PID lookup, so Docker refuses it. */
    private static final Pattern RENAMED_PID = Pattern.compile("\\s+([^\\s]*)=\\s*(PID[^\\s]*)");

    private PsOutput() {
    }

    /** @throws ContainerTopException like Docker for a column other than pid renamed to PID */
    static void validate(String psArgs) {
        Matcher matcher = RENAMED_PID.matcher(psArgs);
        while (matcher.find()) {
            if (!matcher.group(1).equals("pid")) {
                throw new ContainerTopException("specifying \"" + matcher.group(1) + "=" + matcher.group(2)
                        + "\" is not allowed");
            }
        }
    }

    /** @throws ContainerTopException {@code Couldn't find PID field in ps output} when the header has no PID */
    static ProcessTable parse(String output, Set<Integer> pids) {
        String[] lines = output.split("\n");
        List<String> titles = fields(lines[0]);
        int pidIndex = titles.indexOf("PID");
        if (pidIndex < 0) {
            throw new ContainerTopException("Couldn't find PID field in ps output");
        }
        List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            List<String> fields = fields(lines[i]);
            if (fields.size() <= pidIndex) {
                continue;
            }
            int pid;
            try {
                pid = Integer.parseInt(fields.get(pidIndex));
            } catch (NumberFormatException e) {
                throw new ContainerTopException("Unexpected pid '" + fields.get(pidIndex) + "': " + e.getMessage());
            }
            if (!pids.contains(pid)) {
                continue;
            }
            List<String> row = new ArrayList<>(fields.subList(0, Math.min(fields.size(), titles.size() - 1)));
            if (fields.size() >= titles.size()) {
                row.add(String.join(" ", fields.subList(titles.size() - 1, fields.size())));
            }
            rows.add(row);
        }
        return new ProcessTable(titles, rows);
    }

    /** Split on ASCII blanks only, as Docker does, so a non-ASCII space inside a command stays. */
    private static List<String> fields(String line) {
        return Arrays.stream(line.split("[ \t\n\u000b\f\r]+")).filter(s -> !s.isEmpty()).toList();
    }
}
