package dev.tallyman.host.config.daemon;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.host.commands.networks.SubnetPools;
import dev.tallyman.runtime.logs.JsonFileLogOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The operator's config file in the shape of Docker's {@code daemon.json}, read into Tallyman's own settings
 * ({@code tallyman.*} properties). Every key is checked when the file is read: an unknown key or a bad value
 * stops the service before it binds its socket, naming the key, as dockerd refuses a daemon.json it cannot use.
 * Keys Docker has but Tallyman cannot honour yet (TCP hosts, TLS) are refused by name rather than ignored, so an
 * operator never believes a setting is in force when it is not.
 *
 * @param properties Tallyman property name → value, in the text form its {@code EngineConfig} reads
 * @param file where it was read from, for messages and {@code docker info}
 */
public record DaemonJson(Map<String, String> properties, Path file) {
    /** The file Tallyman reads when none is named (Docker's is /etc/docker/daemon.json). */
    public static final Path DEFAULT_FILE = Path.of("/etc/tallyman/daemon.json");
    private static final Pattern DRIVER_NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]*");
    private static final Pattern CIDR = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public DaemonJson {
        properties = Map.copyOf(properties);
    }

    /** No file: nothing set, every setting from the environment or its default. */
    public static DaemonJson empty(Path file) {
        return new DaemonJson(Map.of(), file);
    }

    /**
     * Reads {@code file}. A missing file is an empty configuration when it is the default one, and an error
     * when the operator named it (dockerd does the same with {@code --config-file}).
     */
    public static DaemonJson read(Path file, boolean named) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            if (!named) {
                return empty(file);
            }
            throw new DaemonJsonException("unable to configure the service with file " + file + ": no such file");
        } catch (IOException e) {
            throw new DaemonJsonException("unable to configure the service with file " + file + ": " + e.getMessage());
        }
        return parse(text, file);
    }

    /** Parses the text of a daemon.json; throws naming the file and the first bad key. */
    public static DaemonJson parse(String text, Path file) {
        JsonNode root;
        try {
            root = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw bad(file, "invalid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(file, "the configuration must be a JSON object");
        }
        TreeSet<String> unknown = new TreeSet<>();
        root.fieldNames().forEachRemaining(key -> {
            if (!DaemonKey.known(key)) {
                unknown.add(key);
            }
        });
        if (!unknown.isEmpty()) {
            // dockerd's wording, so an operator's search for it finds the answer
            throw bad(file, "the following directives don't match any configuration option: " + String.join(", ", unknown));
        }
        Map<String, String> properties = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            try {
                DaemonKey.of(field.getKey()).read(field.getValue(), properties);
            } catch (IllegalArgumentException e) {
                throw bad(file, field.getKey() + ": " + e.getMessage());
            }
        }
        return new DaemonJson(properties, file);
    }

    private static DaemonJsonException bad(Path file, String why) {
        return new DaemonJsonException("unable to configure the service with file " + file + ": " + why);
    }

    // --- the readers of each key's value; each throws IllegalArgumentException saying what is wrong ---

    static String text(JsonNode value) {
        if (!value.isTextual()) {
            throw new IllegalArgumentException("expected a string, got " + value);
        }
        return value.asText();
    }

    static boolean bool(JsonNode value) {
        if (!value.isBoolean()) {
            throw new IllegalArgumentException("expected true or false, got " + value);
        }
        return value.asBoolean();
    }

    static List<String> texts(JsonNode value) {
        if (!value.isArray()) {
            throw new IllegalArgumentException("expected a list of strings, got " + value);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : value) {
            String s = text(item).trim();
            if (s.isEmpty() || s.contains(",")) {
                throw new IllegalArgumentException("invalid entry " + item);
            }
            out.add(s);
        }
        return out;
    }

    static String absolutePath(JsonNode value) {
        String path = text(value);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("must be an absolute path, got \"" + path + "\"");
        }
        return Path.of(path).normalize().toString();
    }

    static String driverName(JsonNode value) {
        String name = text(value);
        if (!DRIVER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid driver name \"" + name + "\"");
        }
        return name;
    }

    static String mirrors(JsonNode value) {
        List<String> urls = texts(value);
        for (String url : urls) {
            if (!(url.startsWith("http://") || url.startsWith("https://")) || url.length() <= "https://".length()) {
                // dockerd: invalid mirror: unsupported scheme "ftp" in "ftp://…"
                throw new IllegalArgumentException("invalid mirror: \"" + url + "\" is not an http:// or https:// URL");
            }
        }
        return String.join(",", urls);
    }

    static String insecureRegistries(JsonNode value) {
        List<String> registries = texts(value);
        for (String registry : registries) {
            if (registry.contains("://")) {
                // dockerd: insecure registry … should not contain '://'
                throw new IllegalArgumentException("insecure registry " + registry + " should not contain '://'");
            }
        }
        return String.join(",", registries);
    }

    /** Docker's [{"base": "10.10.0.0/16", "size": 24}, …] as our {@code base/len:size,…}. */
    static String addressPools(JsonNode value) {
        if (!value.isArray() || value.isEmpty()) {
            throw new IllegalArgumentException("expected a list of {\"base\": \"a.b.c.d/n\", \"size\": n}, got " + value);
        }
        List<String> pools = new ArrayList<>();
        for (JsonNode pool : value) {
            if (!pool.isObject() || !pool.path("base").isTextual() || !pool.path("size").isInt() || pool.size() != 2) {
                throw new IllegalArgumentException("invalid pool " + pool + ": expected {\"base\": \"a.b.c.d/n\", \"size\": n}");
            }
            String base = pool.get("base").asText();
            int size = pool.get("size").asInt();
            if (!CIDR.matcher(base).matches()) {
                throw new IllegalArgumentException("invalid pool base \"" + base + "\"");
            }
            int length = Integer.parseInt(base.substring(base.indexOf('/') + 1));
            if (size < length || size > 30) {
                throw new IllegalArgumentException("invalid pool size " + size + " for " + base
                        + ": must be between " + length + " and 30");
            }
            pools.add(base + ":" + size);
        }
        String text = String.join(",", pools);
        SubnetPools.parse(text); // the same check the network code makes when it reads the setting
        return text;
    }

    static String bip(JsonNode value) {
        String bip = text(value);
        if (!CIDR.matcher(bip).matches()) {
            throw new IllegalArgumentException("expected an address and prefix such as 172.30.0.1/16, got \"" + bip + "\"");
        }
        return bip;
    }

    static String bridgeName(JsonNode value) {
        String name = text(value);
        if (name.isEmpty() || name.length() > 15 || name.contains("/") || name.isBlank() || name.equals("none")) {
            throw new IllegalArgumentException("invalid bridge interface name \"" + name + "\" (1 to 15 characters; "
                    + "\"none\" is not supported: the default bridge is always made)");
        }
        return name;
    }

    static String logDriver(JsonNode value) {
        String driver = text(value);
        if (!driver.equals("json-file") && !driver.equals("none")) {
            // the message a container create gets for the same name
            throw new IllegalArgumentException("logger: no log driver named '" + driver + "' is registered");
        }
        return driver;
    }

    /** An object of strings, checked as json-file's options; written as {@code key=value,…} for LogDefaults. */
    static String logOpts(JsonNode value) {
        if (!value.isObject()) {
            throw new IllegalArgumentException("expected an object of strings, got " + value);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> opt = it.next();
            if (!opt.getValue().isTextual()) {
                throw new IllegalArgumentException("the value of " + opt.getKey() + " must be a string, got " + opt.getValue());
            }
            String v = opt.getValue().asText();
            if (v.contains(",") || opt.getKey().contains("=")) {
                throw new IllegalArgumentException("invalid option " + opt.getKey() + "=" + v);
            }
            opts.put(opt.getKey(), v);
        }
        JsonFileLogOptions.parse(opts, Map.of(), List.of());
        List<String> pairs = new ArrayList<>();
        opts.forEach((k, v) -> pairs.add(k + "=" + v));
        return String.join(",", pairs);
    }

    /**
     * One {@code unix://<absolute path>}, the API socket, and at most one {@code tcp://host:port}, the mutual-TLS
     * listener (issue 12; see {@link #tcpHost}). The socket is always served, so a list without one is refused.
     */
    static String hosts(JsonNode value) {
        List<String> hosts = texts(value);
        List<String> unix = hosts.stream().filter(h -> h.startsWith("unix://")).toList();
        List<String> tcp = hosts.stream().filter(h -> h.startsWith("tcp://")).toList();
        if (unix.size() + tcp.size() != hosts.size()) {
            throw new IllegalArgumentException("only unix:// and tcp:// hosts are supported, got " + hosts);
        }
        if (unix.size() != 1 || !unix.get(0).startsWith("unix:///")) {
            throw new IllegalArgumentException("exactly one unix:// socket with an absolute path is required "
                    + "(the API is always served on it), got " + hosts);
        }
        if (tcp.size() > 1) {
            throw new IllegalArgumentException("at most one tcp:// host is supported (the mutual-TLS listener), got " + hosts);
        }
        return unix.get(0).substring("unix://".length());
    }

    /** The {@code tcp://host:port} among the hosts, as {@code host:port}: the TLS listener, which requires tlscacert, tlscert and tlskey. */
    static java.util.Optional<String> tcpHost(JsonNode value) {
        return texts(value).stream().filter(h -> h.startsWith("tcp://")).map(h -> h.substring("tcp://".length())).findFirst();
    }

    /**
     * tls and tlsverify: either value only says what Tallyman always does. Without a tcp:// host there is no TLS;
     * with one, client certificates are always verified, as {@code --tlsverify} asks.
     */
    static void tlsSwitch(JsonNode value) {
        bool(value);
    }

    static void liveRestore(JsonNode value) {
        if (!bool(value)) {
            throw new IllegalArgumentException("false is not supported: containers always outlive the service "
                    + "(conmon holds them), so live restore is always on");
        }
    }
}
