package dev.tallyman.images.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.images.ImageException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies Dockerfile-style changes ({@code docker import -c}, {@code docker commit -c}) to a container config.
 * The changes are joined with newlines and read as Dockerfile lines; only the instructions Docker accepts as
 * changes are allowed (CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME,
 * WORKDIR), others fail with Docker's {@code <INSTRUCTION> is not a valid change command}.
 * ENV, LABEL, EXPOSE, VOLUME, WORKDIR, USER and STOPSIGNAL expand {@code $VAR} from the environment built so far.
 */
public final class ConfigChanges {
    private static final Set<String> VALID = Set.of(
            "cmd", "entrypoint", "env", "expose", "healthcheck", "label", "onbuild", "stopsignal", "user", "volume", "workdir");
    private static final List<String> SHELL = List.of("/bin/sh", "-c");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FLAG = Pattern.compile("--([a-z-]+)=(\\S*)");
    private static final Pattern PORT_RANGE = Pattern.compile("([0-9]{1,5})(?:-([0-9]{1,5}))?");
    private static final Duration MIN_HEALTH_DURATION = Duration.ofMillis(1);
    private static final Set<String> SIGNALS = Set.of(
            "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL",
            "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "UNUSED",
            "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ");
    private static final Pattern RT_SIGNAL = Pattern.compile("RTMIN(\\+([0-9]+))?|RTMAX(-([0-9]+))?");

    private ContainerConfig config;
    private boolean cmdSet;
    private List<String> shell = SHELL;
    private java.util.function.Function<String, String> buildArgs = key -> null;
    private char escape = '\\';

    private ConfigChanges(ContainerConfig base) {
        this.config = base;
    }

    /**
     * One build instruction applied to a config, as the classic builder applies it (its own checks and words):
     * {@code vars} answers build args in scope for names the environment lacks, {@code shell} is the shell
     * form's prefix (the SHELL instruction), {@code escape} the Dockerfile's escape character.
     */
    public static ContainerConfig applyBuildInstruction(ContainerConfig base, String keyword, String arguments,
                                                        java.util.function.Function<String, String> vars,
                                                        List<String> shell, char escape) {
        ConfigChanges state = new ConfigChanges(base);
        state.buildArgs = vars;
        state.shell = List.copyOf(shell);
        state.escape = escape;
        state.cmdSet = false;
        state.dispatch(new Instruction(keyword, arguments));
        return state.config;
    }

    /** The config with the changes applied, in order. Bad changes fail with INVALID_PARAMETER and Docker's text. */
    public static ContainerConfig apply(ContainerConfig base, List<String> changes) {
        if (changes.isEmpty()) {
            return base;
        }
        List<Instruction> instructions = parse(String.join("\n", changes));
        for (Instruction instruction : instructions) {
            if (!VALID.contains(instruction.keyword().toLowerCase(Locale.ROOT))) {
                throw ImageException.invalid(instruction.keyword() + " is not a valid change command");
            }
        }
        ConfigChanges state = new ConfigChanges(base);
        instructions.forEach(state::dispatch);
        return state.config;
    }

    private record Instruction(String keyword, String arguments) {
    }

    // Dockerfile lines: '#' comments and blank lines are skipped, a trailing '\' continues the line.
    private static List<Instruction> parse(String text) {
        List<Instruction> result = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (!pending.isEmpty() && line.startsWith("#")) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1);
                continue;
            }
            pending.append(line);
            result.add(split(pending.toString().strip()));
            pending.setLength(0);
        }
        if (!pending.isEmpty()) {
            result.add(split(pending.toString().strip()));
        }
        return result;
    }

    private static Instruction split(String line) {
        String[] parts = line.split("\\s+", 2);
        return new Instruction(parts[0], parts.length > 1 ? parts[1].strip() : "");
    }

    private void dispatch(Instruction instruction) {
        String keyword = instruction.keyword().toUpperCase(Locale.ROOT);
        String args = instruction.arguments();
        DockerfileWords words = new DockerfileWords(key -> config.envValue(key).orElseGet(() -> buildArgs.apply(key)), escape);
        switch (keyword) {
            case "CMD" -> {
                config = config.withCmd(commandLine(keyword, args, shell));
                cmdSet = true;
            }
            case "ENTRYPOINT" -> {
                config = config.withEntrypoint(commandLine(keyword, args, shell));
                // Docker: a new entrypoint drops an inherited CMD, but not one set by these same changes.
                if (!cmdSet) {
                    config = config.withCmd(List.of());
                }
            }
            case "ENV" -> config = config.withEnv(env(keyValues(keyword, args, words)));
            case "LABEL" -> {
                Map<String, String> labels = new TreeMap<>(config.labels());
                labels.putAll(keyValues(keyword, args, words));
                config = config.withLabels(labels);
            }
            case "WORKDIR" -> config = config.withWorkingDir(workdir(words.word(requireOne(keyword, args))));
            case "USER" -> config = config.withUser(words.word(requireOne(keyword, args)));
            case "STOPSIGNAL" -> config = config.withStopSignal(signal(words.word(requireOne(keyword, args))));
            case "EXPOSE" -> config = config.withExposedPorts(ports(words.words(requireSome(keyword, args))));
            case "VOLUME" -> config = config.withVolumes(volumes(requireSome(keyword, args), words));
            case "ONBUILD" -> config = config.withOnBuild(onBuild(requireSome(keyword, args)));
            case "HEALTHCHECK" -> config = config.withHealthcheck(healthcheck(requireSome(keyword, args)));
            default -> throw ImageException.invalid(instruction.keyword() + " is not a valid change command");
        }
    }

    private static String requireSome(String keyword, String args) {
        if (args.isEmpty()) {
            throw ImageException.invalid(keyword + " requires at least one argument");
        }
        return args;
    }

    private static String requireOne(String keyword, String args) {
        if (args.isEmpty()) {
            throw ImageException.invalid(keyword + " requires exactly one argument");
        }
        return args;
    }

    /** Exec form when the arguments are a JSON array of strings, else shell form through /bin/sh -c. */
    private static List<String> commandLine(String keyword, String args, List<String> prefix) {
        Optional<List<String>> exec = jsonArray(args);
        if (exec.isPresent()) {
            return exec.get();
        }
        List<String> shell = new ArrayList<>(prefix);
        shell.add(requireSome(keyword, args));
        return shell;
    }

    /** {@code args} as a JSON array of strings (a Dockerfile's exec form), or empty when it is not one. */
    public static Optional<List<String>> jsonArray(String args) {
        if (!args.startsWith("[")) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(args);
            if (node == null || !node.isArray()) {
                return Optional.empty();
            }
            List<String> items = new ArrayList<>();
            for (JsonNode item : node) {
                if (!item.isTextual()) {
                    return Optional.empty();
                }
                items.add(item.textValue());
            }
            return Optional.of(items);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    // ENV and LABEL: "k=v k2='v 2'" or the legacy "k value with spaces".
    private static Map<String, String> keyValues(String keyword, String args, DockerfileWords words) {
        requireSome(keyword, args);
        List<String> raw = DockerfileWords.split(args);
        Map<String, String> pairs = new LinkedHashMap<>();
        if (!raw.get(0).contains("=")) {
            String[] legacy = args.split("\\s+", 2);
            if (legacy.length < 2) {
                throw ImageException.invalid(keyword + " must have two arguments");
            }
            pairs.put(words.word(legacy[0]), words.word(legacy[1]));
        } else {
            for (String word : raw) {
                int eq = word.indexOf('=');
                if (eq < 0) {
                    throw ImageException.invalid("Syntax error - can't find = in \"" + word
                            + "\". Must be of the form: name=value");
                }
                pairs.put(words.word(word.substring(0, eq)), words.word(word.substring(eq + 1)));
            }
        }
        for (String key : pairs.keySet()) {
            if (key.isEmpty()) {
                throw ImageException.invalid(keyword + " names can not be blank");
            }
        }
        return pairs;
    }

    private List<String> env(Map<String, String> pairs) {
        List<String> env = new ArrayList<>(config.env());
        pairs.forEach((key, value) -> {
            String entry = key + "=" + value;
            boolean replaced = false;
            for (int i = 0; i < env.size(); i++) {
                if (env.get(i).startsWith(key + "=")) {
                    env.set(i, entry);
                    replaced = true;
                }
            }
            if (!replaced) {
                env.add(entry);
            }
        });
        return env;
    }

    private String workdir(String requested) {
        if (requested.isEmpty()) {
            throw ImageException.invalid("cannot normalize nothing");
        }
        if (requested.startsWith("/")) {
            return cleanPath(requested);
        }
        return cleanPath("/" + config.workingDir() + "/" + requested);
    }

    /** Go's path.Clean for absolute paths: no empty, "." or ".." segments. */
    static String cleanPath(String path) {
        List<String> parts = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else {
                parts.add(segment);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static String signal(String text) {
        if (text.matches("[0-9]+")) {
            if (Long.parseLong(text) == 0 || Long.parseLong(text) > 64) {
                throw ImageException.invalid("Invalid signal: " + text);
            }
            return text;
        }
        String name = text.toUpperCase(Locale.ROOT);
        name = name.startsWith("SIG") ? name.substring(3) : name;
        if (!SIGNALS.contains(name) && !RT_SIGNAL.matcher(name).matches()) {
            throw ImageException.invalid("Invalid signal: " + text);
        }
        return text;
    }

    private TreeSet<String> ports(List<String> specs) {
        TreeSet<String> ports = new TreeSet<>(config.exposedPorts());
        for (String spec : specs) {
            String proto = "tcp";
            String range = spec;
            int slash = spec.lastIndexOf('/');
            if (slash >= 0) {
                proto = spec.substring(slash + 1).toLowerCase(Locale.ROOT);
                range = spec.substring(0, slash);
                if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
                    throw ImageException.invalid("invalid proto: " + proto);
                }
            }
            Matcher m = PORT_RANGE.matcher(range);
            if (!m.matches()) {
                throw ImageException.invalid("invalid containerPort: " + range);
            }
            int start = Integer.parseInt(m.group(1));
            int end = m.group(2) == null ? start : Integer.parseInt(m.group(2));
            if (start > 65535 || end > 65535 || end < start) {
                throw ImageException.invalid("invalid containerPort: " + range);
            }
            for (int port = start; port <= end; port++) {
                ports.add(port + "/" + proto);
            }
        }
        return ports;
    }

    private TreeSet<String> volumes(String args, DockerfileWords words) {
        List<String> paths = jsonArray(args).orElseGet(() -> words.words(args));
        TreeSet<String> volumes = new TreeSet<>(config.volumes());
        for (String path : paths) {
            String trimmed = path.strip();
            if (trimmed.isEmpty()) {
                throw ImageException.invalid("VOLUME specified can not be an empty string");
            }
            volumes.add(trimmed);
        }
        return volumes;
    }

    private List<String> onBuild(String trigger) {
        String first = trigger.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
        if (first.equals("ONBUILD")) {
            throw ImageException.invalid("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        }
        if (first.equals("FROM") || first.equals("MAINTAINER")) {
            throw ImageException.invalid(first + " isn't allowed as an ONBUILD trigger");
        }
        List<String> triggers = new ArrayList<>(config.onBuild());
        triggers.add(trigger);
        return triggers;
    }

    private static Optional<Healthcheck> healthcheck(String args) {
        Map<String, String> flags = new LinkedHashMap<>();
        String rest = args;
        while (rest.startsWith("--")) {
            String[] parts = rest.split("\\s+", 2);
            Matcher m = FLAG.matcher(parts[0]);
            if (!m.matches()) {
                throw ImageException.invalid("Unknown flag: " + parts[0].substring(2));
            }
            flags.put(m.group(1), m.group(2));
            rest = parts.length > 1 ? parts[1].strip() : "";
        }
        for (String flag : flags.keySet()) {
            if (!Set.of("interval", "timeout", "start-period", "start-interval", "retries").contains(flag)) {
                throw ImageException.invalid("Unknown flag: " + flag);
            }
        }
        String[] parts = rest.split("\\s+", 2);
        String type = parts[0].toUpperCase(Locale.ROOT);
        if (type.equals("NONE")) {
            if (parts.length > 1 && !parts[1].isBlank()) {
                throw ImageException.invalid("HEALTHCHECK NONE takes no arguments");
            }
            if (!flags.isEmpty()) {
                throw ImageException.invalid("options are not allowed with HEALTHCHECK NONE");
            }
            return Optional.of(new Healthcheck(List.of("NONE"), Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0));
        }
        if (!type.equals("CMD")) {
            throw ImageException.invalid("Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
        }
        String command = parts.length > 1 ? parts[1].strip() : "";
        if (command.isEmpty()) {
            throw ImageException.invalid("Missing command after HEALTHCHECK CMD");
        }
        List<String> test = new ArrayList<>();
        Optional<List<String>> exec = jsonArray(command);
        if (exec.isPresent()) {
            test.add("CMD");
            test.addAll(exec.get());
        } else {
            test.add("CMD-SHELL");
            test.add(command);
        }
        int retries = 0;
        if (flags.containsKey("retries")) {
            try {
                retries = Integer.parseInt(flags.get("retries"));
            } catch (NumberFormatException e) {
                throw ImageException.invalid("strconv.ParseInt: parsing \"" + flags.get("retries") + "\": invalid syntax");
            }
            if (retries < 0) {
                throw ImageException.invalid("--retries cannot be negative (" + retries + ")");
            }
        }
        return Optional.of(new Healthcheck(test, interval(flags, "interval"), interval(flags, "timeout"),
                interval(flags, "start-period"), interval(flags, "start-interval"), retries));
    }

    private static Duration interval(Map<String, String> flags, String name) {
        String text = flags.get(name);
        if (text == null || text.isEmpty()) {
            return Duration.ZERO;
        }
        Duration d = GoDuration.parse(text);
        if (d.isZero()) {
            return d;
        }
        if (d.compareTo(MIN_HEALTH_DURATION) < 0) {
            throw ImageException.invalid("Interval \"" + name + "\" cannot be less than " + "1ms");
        }
        return d;
    }
}
