package dev.tallyman.host.it;

import static dev.tallyman.host.it.ImageItSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Bad input never hurts: at least 10,000 generated malformed requests across every route the router has
 * registered (listed by the service itself at /tallyman/routes), against one running service. Each request is
 * malformed in a way Docker refuses: a name or id that names nothing, a body that is not JSON or not of the
 * expected shape ({"Env": [null]}, objects where strings go, a bare number), a JSON body over the 1 MiB limit,
 * junk query values. Asserted: no 500 ever; every command (each method but GET and HEAD) answered 4xx with
 * Docker's {"message": …}; the projections' state equal before and after; and a CommandRefused on the record
 * for every command's correlation id.
 *
 * <p>The requests come from a generator of our own over a seeded {@link Random}: the seed is printed, and
 * {@code -Din12.fuzz.seed=N} replays a run request for request.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MalformedRequestsIT {
    /** 420 batches of 25 requests each: 10,500 requests, sent 8 at a time. */
    private static final int TRIES = 420;
    /** -Din12.fuzz.batch=N sends 420 × N requests instead (a shorter run on a loaded machine). */
    private static final int BATCH = Integer.getInteger("in12.fuzz.batch", 25);
    private static final long SEED = Long.getLong("in12.fuzz.seed", System.nanoTime());
    private static final Random RANDOM = new Random(SEED);
    private static final ExecutorService SENDERS = Executors.newFixedThreadPool(8);
    private static final String TARGET = "in12-fuzz-target";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestDatabase database;
    private static TallymanProcess tallyman;
    private static UnixSocketHttp http;
    private static List<Route> routes;
    private static String stateBefore;
    private static long began;
    private static final Map<String, AtomicInteger> perRoute = new ConcurrentSkipListMap<>();
    private static final Map<Integer, AtomicInteger> statuses = new ConcurrentSkipListMap<>();
    private static final Set<String> commandCorrelations = ConcurrentHashMap.newKeySet();
    private static final List<String> failures = new ArrayList<>();

    /** A route as the router registered it: method, path with :params, and how its body is read. */
    record Route(String method, String path, boolean jsonBody) {
        boolean command() {
            return !(method.equals("GET") || method.equals("HEAD"));
        }

        boolean hasParameter() {
            return path.contains(":");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** One malformed request. */
    record Probe(Route route, String target, String contentType, byte[] body, String how) {
        @Override
        public String toString() {
            return route.method() + " " + target + " (" + how + ", " + (body == null ? 0 : body.length) + " bytes)";
        }
    }

    @BeforeAll
    static void start() throws Exception {
        database = new TestDatabase();
        tallyman = new TallymanProcess("in12fuzz", database, "overlay2");
        tallyman.start();
        ok(tallyman, "import", BusyboxTar.get().toString(), "busybox:latest");
        ok(tallyman, "create", "--name", TARGET, "busybox", "true");
        ok(tallyman, "network", "create", "in12-fuzz-net");
        ok(tallyman, "volume", "create", "in12-fuzz-vol");
        http = new UnixSocketHttp(tallyman.socket);
        JsonNode listed = JSON.readTree(http.call("GET", "/tallyman/routes", Map.of(), null).body());
        routes = new ArrayList<>();
        for (JsonNode r : listed) {
            routes.add(new Route(r.get("Method").asText(), r.get("Path").asText(), r.get("Body").asText().equals("json")));
        }
        System.out.println("in12 fuzz: " + routes.size() + " routes registered, seed " + SEED);
        stateBefore = state();
        began = System.nanoTime();
    }

    @AfterAll
    static void finish() throws Exception {
        SENDERS.shutdownNow();
        try {
            tallyman.docker("rm", "-f", TARGET);
            tallyman.docker("network", "rm", "in12-fuzz-net");
            tallyman.docker("volume", "rm", "in12-fuzz-vol");
            tallyman.close();
        } finally {
            database.close();
        }
    }

    /** After every request: what was answered, what the record holds, and what changed (nothing). */
    private static void checkTheOutcome() throws Exception {
        System.out.println("in12 fuzz: requests per route " + perRoute);
        System.out.println("in12 fuzz: statuses " + statuses);
        System.out.println("in12 fuzz: " + perRoute.values().stream().mapToInt(AtomicInteger::get).sum()
                + " requests in " + (System.nanoTime() - began) / 1_000_000_000L + " s");
        String stateAfter = state();
        Set<String> refused = new HashSet<>();
        Set<String> failed = new HashSet<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select correlation_id, type from events")) {
            while (rs.next()) {
                if (rs.getString(2).equals("command.refused")) {
                    refused.add(rs.getString(1));
                } else if (rs.getString(2).endsWith("-failed")) {
                    failed.add(rs.getString(1));
                }
            }
        }
        // A streamed body (docker load) is read after its intent is recorded: a junk tar ends in the
        // command's own failure event (image.load-failed) rather than a refusal; both are on the record.
        Set<String> failedInstead = new HashSet<>(commandCorrelations);
        failedInstead.removeAll(refused);
        failedInstead.retainAll(failed);
        System.out.println("in12 fuzz: " + failedInstead.size() + " commands recorded by their own failure event instead");
        Set<String> unrecorded = new HashSet<>(commandCorrelations);
        unrecorded.removeAll(refused);
        unrecorded.removeAll(failed);
        System.out.println("in12 fuzz: " + commandCorrelations.size() + " commands, " + refused.size()
                + " refusals on the record, " + unrecorded.size() + " commands without one");
        synchronized (failures) {
            assertThat(failures).as("requests answered wrongly").isEmpty();
        }
        assertThat(stateAfter).as("the projections' state").isEqualTo(stateBefore);
        assertThat(unrecorded).as("commands refused without a CommandRefused on the record").isEmpty();
        assertThat(perRoute.keySet()).as("routes reached").containsAll(routes.stream().map(Route::toString).toList());
    }

    private static String state() throws Exception {
        return http.call("GET", "/tallyman/state", Map.of(), null).text();
    }

    @Test
    @Order(2)
    void malformedRequestsAreRefusedAndChangeNothing() throws Exception {
        for (int t = 0; t < TRIES; t++) {
            List<Future<?>> sent = new ArrayList<>();
            for (Probe probe : batch()) {
                sent.add(SENDERS.submit(() -> {
                    send(probe);
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        }
        checkTheOutcome();
    }

    /** A body that says it is 1 GiB is answered 413 from its Content-Length alone, at once, and recorded. */
    @Test
    @Order(1)
    void aBodyDeclaredHugeIsRefusedBeforeItIsRead() throws Exception {
        long began = System.nanoTime();
        UnixSocketHttp.Answer answer = http.call("POST", "/v1.50/containers/create?name=in12-huge",
                Map.of("Content-Type", "application/json", "Content-Length", "1073741824"),
                "{\"Image\":\"busybox\"".getBytes(StandardCharsets.UTF_8), 5_000);
        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.text()).startsWith("{\"message\":");
        // The 413 arrives at once; Vert.x then holds the connection open for the unread body until the client's
        // 5 s cut-off, so the time to the connection's end says nothing about the answer's.
        assertThat(System.nanoTime() - began).isLessThan(6_000_000_000L);
        commandCorrelations.add(answer.header("X-Tallyman-Correlation-Id"));
        perRoute.computeIfAbsent("POST /containers/create", k -> new AtomicInteger()).incrementAndGet();
        statuses.computeIfAbsent(answer.status(), k -> new AtomicInteger()).incrementAndGet();
    }

    private static void send(Probe probe) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        if (probe.contentType() != null) {
            headers.put("Content-Type", probe.contentType());
        }
        UnixSocketHttp.Answer answer = http.call(probe.route().method(), probe.target(), headers, probe.body(), 5_000);
        perRoute.computeIfAbsent(probe.route().toString(), k -> new AtomicInteger()).incrementAndGet();
        statuses.computeIfAbsent(answer.status(), k -> new AtomicInteger()).incrementAndGet();
        String problem = null;
        if (answer.status() == 500 || answer.status() == 502) {
            problem = "answered " + answer.status() + ": " + answer.text();
        } else if (answer.status() == 204 && probe.route().toString().equals("DELETE /volumes/:name") && forced(probe.target())) {
            // Docker's answer too: a forced removal of a volume that does not exist is no error, and Docker reads
            // any force value but "", 0, no, false and none as true.
        } else if (probe.route().command()) {
            String correlation = answer.header("X-Tallyman-Correlation-Id");
            if (answer.status() < 400 || answer.status() >= 500) {
                problem = "a malformed command answered " + answer.status() + ": " + answer.text();
            } else if (!answer.text().startsWith("{\"message\":")) {
                problem = "answered without Docker's message: " + answer.text();
            } else if (correlation == null) {
                problem = "answered without a correlation id";
            } else {
                commandCorrelations.add(correlation);
            }
        }
        if (problem != null) {
            synchronized (failures) {
                if (failures.size() < 50) {
                    failures.add(probe + ": " + problem);
                }
            }
        }
    }

    /** Whether the query has a force value Docker reads as true. */
    private static boolean forced(String target) {
        int query = target.indexOf('?');
        for (String pair : query < 0 ? new String[0] : target.substring(query + 1).split("&")) {
            if (pair.startsWith("force=")) {
                String value = java.net.URLDecoder.decode(pair.substring("force=".length()), StandardCharsets.UTF_8)
                        .trim().toLowerCase(java.util.Locale.ROOT);
                return !List.of("", "0", "no", "false", "none").contains(value);
            }
        }
        return false;
    }

    /** One batch of probes, each for a route chosen at random. The generator is single-threaded: only sending runs in parallel. */
    private static List<Probe> batch() {
        List<Probe> batch = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            batch.add(probeFor(pick(routes)));
        }
        return batch;
    }

    private static Probe probeFor(Route route) {
        List<Supplier<Probe>> kinds = new ArrayList<>();
        if (route.hasParameter()) {
            kinds.add(() -> new Probe(route, fill(route.path(), badId()) + junkQuery(), "application/json", junkBody(),
                    "no such object"));
        }
        if (route.jsonBody()) {
            kinds.add(() -> new Probe(route, realTarget(route) + junkQuery(), "application/json", malformedJson(),
                    "malformed JSON"));
            kinds.add(() -> new Probe(route, realTarget(route), "application/json", huge(between(1, 3)), "over the JSON limit"));
        }
        if (!route.hasParameter() && !route.jsonBody()) {
            kinds.add(() -> new Probe(route, route.path() + "?filters=" + enc("{\"in12\":") + "&fromImage="
                    + enc("in12 BAD::ref") + "&t=" + enc("in12 BAD::ref") + "&repo=" + enc("in12 BAD::ref")
                    + "&container=in12nx-none&name=" + enc("in12 BAD/name!") + "&" + junkQuery(), "application/x-tar",
                    junkBody(), "junk query"));
        }
        return pick(kinds).get();
    }

    private static <T> T pick(List<T> choices) {
        return choices.get(RANDOM.nextInt(choices.size()));
    }

    @SafeVarargs
    private static <T> T pick(T... choices) {
        return choices[RANDOM.nextInt(choices.length)];
    }

    private static int between(int low, int high) {
        return low + RANDOM.nextInt(high - low + 1);
    }

    /** Characters from {@code alphabet}, or any char (surrogates and controls too) when it is null. */
    private static String text(String alphabet, int minLength, int maxLength) {
        int length = between(minLength, maxLength);
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(alphabet == null ? (char) RANDOM.nextInt(Character.MAX_VALUE + 1)
                    : alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return b.toString();
    }
    /** Where a malformed JSON body is sent: the real container for a container's route, else a name that is not there. */
    private static String realTarget(Route route) {
        if (!route.hasParameter()) {
            return route.path() + "?";
        }
        String id = route.path().startsWith("/containers/:name") ? TARGET : "in12nx-none";
        return fill(route.path(), id) + "?";
    }

    private static String fill(String path, String id) {
        return path.replaceAll(":[a-zA-Z]+\\*?", java.util.regex.Matcher.quoteReplacement(id)) + "?";
    }

    private static String badId() {
        return switch (RANDOM.nextInt(4)) {
            case 0 -> "in12nx" + text("abcdefghijklmnopqrstuvwxyz0123456789", 1, 40);
            case 1 -> text("0123456789abcdef", 64, 64);
            case 2 -> enc("in12nx" + text(null, 1, 30));
            default -> pick("in12nx%2F..%2F..%2Fetc", "in12nx..", "in12nx%00", "in12nx%FF%FE", "in12nx" + "x".repeat(300),
                    "in12nx%20space", "in12nx:tag@sha256:zz");
        };
    }

    private static String junkQuery() {
        List<String> pairs = new ArrayList<>();
        for (int i = between(0, 3); i > 0; i--) {
            String key = pick("all", "force", "v", "t", "signal", "limit", "since", "until", "size", "filters", "stream",
                    "detachKeys", "h", "w", "platform", "link", "noprune", "follow", "tail", "in12unknown");
            String value = RANDOM.nextBoolean()
                    ? pick("", "-1", "999999999999999999999", "NaN", "maybe", "{", "[]", "{\"a\":", "SIGNOPE", "%", "\u00e9")
                    : text(null, 0, 12);
            pairs.add(key + "=" + enc(value));
        }
        return String.join("&", pairs);
    }

    private static byte[] junkBody() {
        return switch (RANDOM.nextInt(3)) {
            case 0 -> null;
            case 1 -> {
                byte[] bytes = new byte[between(0, 200)];
                RANDOM.nextBytes(bytes);
                yield bytes;
            }
            default -> malformedJson();
        };
    }

    /** Bodies Docker answers 400: not JSON at all, JSON of the wrong shape, nulls and objects where strings go. */
    private static byte[] malformedJson() {
        String json = switch (RANDOM.nextInt(4)) {
            case 0 -> pick("x", "{", "{\"Image\":", "[1,2", "{\"Env\":[\"A=1\",]}", "nul", "{'single':'quotes'}", "\u0000",
                    "}{", "{\"a\":1}{");
            case 1 -> pick("null", "42", "\"text\"", "[]", "[{}]", "true");
            case 2 -> {
                // Wrong types in every field some JSON route reads, so that no route finds the body well-formed by
                // ignoring the fields it does not know (Docker ignores unknown fields too).
                List<String> fields = List.of("Image", "Cmd", "Env", "Entrypoint", "Labels", "Name", "Driver", "Options",
                        "User", "WorkingDir", "Memory", "NanoCpus", "CpuShares", "RestartPolicy", "Container", "Tty",
                        "AttachStdin", "Detach", "IPAM", "DriverOpts", "Privileged", "username", "password", "serveraddress");
                StringBuilder b = new StringBuilder("{");
                for (int i = 0; i < fields.size(); i++) {
                    b.append(i == 0 ? "" : ",").append('"').append(fields.get(i)).append("\":")
                            .append(pick("{\"in12\":{}}", "[{\"in12\":1}]", "{\"in12\":[1]}"));
                }
                yield b.append('}').toString();
            }
            // A null inside an array is refused wherever it stands: the known hole {"Env": [null]} and its kin.
            default -> pick("{\"Image\":\"busybox\",\"Env\":[null]}", "{\"Image\":\"busybox\",\"Cmd\":[null]}",
                    "{\"Image\":\"busybox\",\"Entrypoint\":[null]}", "{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[null]}}",
                    "{\"Name\":\"in12n\",\"Labels\":{\"a\":[null]}}", "{\"Name\":\"in12n\",\"IPAM\":{\"Config\":[null]}}");
        };
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON object a little over the 1 MiB limit: it must be answered 413, never read and applied. */
    private static byte[] huge(int extraKiB) {
        StringBuilder s = new StringBuilder("{\"Image\":\"busybox\",\"Labels\":{\"in12\":\"");
        s.append("a".repeat(1024 * 1024 + extraKiB * 1024));
        s.append("\"}}");
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
