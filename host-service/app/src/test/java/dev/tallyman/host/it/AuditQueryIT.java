package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The audit query API (issue 11) through the service's socket, on a real PostgreSQL: filters and pages, follow
 * under concurrent appends, time travel around a container's removal, the correlation header of Docker calls
 * against the events they recorded, the OpenAPI document, and Docker's routes still answered beside it.
 */
class AuditQueryIT extends ContainerItSupport {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected String instanceName() {
        return "q11query";
    }

    /** One HTTP exchange through the socket: status, headers (lower-case names) and body. */
    record Answer(int status, Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    private Answer http(String method, String path, String body) {
        try {
            Path headers = Files.createTempFile("q11-headers", ".txt");
            try {
                List<String> command = new ArrayList<>(List.of("curl", "-s", "-D", headers.toString(), "--unix-socket",
                        tallyman.socket.toString(), "-X", method, "http://d" + path));
                if (body != null) {
                    command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
                }
                CommandResult result = Shell.run(command, Map.of(), null, 60);
                assertThat(result.exitCode()).as(result.toString()).isZero();
                List<String> lines = Files.readAllLines(headers);
                int status = Integer.parseInt(lines.get(0).split(" ")[1]);
                Map<String, String> map = new java.util.HashMap<>();
                for (String line : lines.subList(1, lines.size())) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        map.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                    }
                }
                return new Answer(status, map, result.stdout());
            } finally {
                Files.deleteIfExists(headers);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Answer get(String path) {
        return http("GET", path, null);
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private long lastPosition() {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("select coalesce(max(position), 0) from events")) {
            rows.next();
            return rows.getLong(1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Every event the query answers for {@code filters}, page by page along next. */
    private List<JsonNode> allPages(String filters, int limit) {
        List<JsonNode> events = new ArrayList<>();
        long after = 0;
        for (int pages = 0; pages < 10_000; pages++) {
            Answer answer = get("/tallyman/v1/events?limit=" + limit + "&after=" + after + filters);
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            JsonNode page = answer.json();
            page.get("events").forEach(events::add);
            assertThat(page.get("events").size()).isLessThanOrEqualTo(limit);
            if (page.get("next").isNull()) {
                return events;
            }
            after = page.get("next").asLong();
            assertThat(after).isEqualTo(events.get(events.size() - 1).get("position").asLong());
        }
        throw new AssertionError("no end of pages");
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.get("type").asText()).toList();
    }

    @Test
    void dockerCallsAnswerWithTheCorrelationOfTheEventsTheyRecorded() {
        Answer created = http("POST", "/v1.50/containers/create?name=q11corr", "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"30\"]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("Id").asText();
        String createCorrelation = created.headers().get("tallyman-correlation-id");
        assertThat(createCorrelation).isNotBlank();
        Answer started = http("POST", "/v1.50/containers/" + id + "/start", null);
        assertThat(started.status()).as(started.body()).isEqualTo(204);
        String startCorrelation = started.headers().get("tallyman-correlation-id");
        assertThat(startCorrelation).isNotBlank().isNotEqualTo(createCorrelation);

        List<JsonNode> ofCreate = allPages("&correlation=" + createCorrelation, 100);
        assertThat(types(ofCreate)).contains("container.create-requested", "container.created");
        assertThat(ofCreate).allSatisfy(e -> assertThat(e.get("correlationId").asText()).isEqualTo(createCorrelation));
        assertThat(ofCreate).anySatisfy(e -> assertThat(e.get("stream").asText()).isEqualTo("container-" + id));
        List<JsonNode> ofStart = allPages("&correlation=" + startCorrelation, 100);
        assertThat(types(ofStart)).contains("container.start-requested", "container.started");
        assertThat(ofStart).allSatisfy(e -> assertThat(e.get("correlationId").asText()).isEqualTo(startCorrelation));
        JsonNode actor = ofStart.get(0).get("actor");
        assertThat(actor.get("kind").asText()).isEqualTo("socket");
        assertThat(actor.get("uid").asInt()).isZero();
        assertThat(actor.get("user").asText()).isEqualTo("root");

        // A refusal is on the record under the correlation its answer carried.
        Answer refused = http("POST", "/v1.50/containers/q11-no-such/start", null);
        assertThat(refused.status()).isEqualTo(404);
        List<JsonNode> ofRefusal = allPages("&correlation=" + refused.headers().get("tallyman-correlation-id"), 100);
        assertThat(types(ofRefusal)).containsExactly("command.refused");

        // The audit API's own answers, errors included, carry the header too.
        assertThat(get("/tallyman/v1/events?limit=1").headers()).containsKey("tallyman-correlation-id");
        assertThat(get("/tallyman/v1/events?limit=zero").headers()).containsKey("tallyman-correlation-id");
        ok("rm", "-f", id);
    }

    @Test
    void filtersAndPagesAnswerWhatTheRecordHolds() {
        String id = ok("create", "--name", "q11filters", "busybox", "true").trim();
        ok("start", id);
        eventually(Duration.ofSeconds(20), () -> inspect("{{.State.Status}}", id), "exited"::equals);
        ok("rm", id);
        String stream = "container-" + id;

        List<JsonNode> one = allPages("&stream=" + stream, 1);
        List<JsonNode> all = allPages("&stream=" + stream, 1000);
        assertThat(one).hasSameSizeAs(all);
        assertThat(one.size()).isGreaterThanOrEqualTo(6);
        assertThat(types(all)).contains("container.create-requested", "container.created", "container.start-requested",
                "container.started", "container.died", "container.removed");
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).get("version").asLong()).isEqualTo(i);
            assertThat(all.get(i).get("hash").asText()).matches("[0-9a-f]{64}");
            assertThat(all.get(i).get("payload").isObject()).isTrue();
            assertThat(one.get(i).get("position")).isEqualTo(all.get(i).get("position"));
        }
        // runtime facts come from Tallyman itself
        JsonNode died = all.stream().filter(e -> e.get("type").asText().equals("container.died")).findFirst().orElseThrow();
        assertThat(died.get("actor").get("kind").asText()).isEqualTo("system");

        List<JsonNode> twoTypes = allPages("&stream=" + stream + "&type=container.created&type=container.removed", 100);
        assertThat(types(twoTypes)).containsExactly("container.created", "container.removed");

        assertThat(allPages("&actor_uid=0", 1000)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("actor").get("uid").asInt()).isZero());
        assertThat(allPages("&actor=root&stream=" + stream, 1000)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("actor").get("user").asText()).isEqualTo("root"));
        assertThat(allPages("&actor=nobody-q11", 1000)).isEmpty();

        Instant created = Instant.parse(all.get(1).get("occurredAt").asText());
        Instant removed = Instant.parse(all.get(all.size() - 1).get("occurredAt").asText());
        List<JsonNode> until = allPages("&stream=" + stream + "&until=" + q(created.toString()), 1000);
        assertThat(until).hasSize(2);
        List<JsonNode> since = allPages("&stream=" + stream + "&since=" + q(removed.toString()), 1000);
        assertThat(types(since)).containsExactly("container.removed");
        // Unix seconds: a window of whole seconds around the run holds all of it
        List<JsonNode> unix = allPages("&stream=" + stream + "&since=" + (created.getEpochSecond() - 1)
                + "&until=" + (removed.getEpochSecond() + 1), 1000);
        assertThat(unix).hasSameSizeAs(all);
    }

    @Test
    void badFiltersAre400WithDockersMessageShape() {
        Map<String, String> cases = Map.of(
                "limit=zero", "invalid limit 'zero': not a number",
                "limit=0", "invalid limit 0: must be from 1 to 10000",
                "since=yesterday", "invalid since 'yesterday': neither an RFC 3339 time (2006-01-02T15:04:05Z) nor Unix seconds",
                "correlation=abc", "invalid correlation 'abc': not a UUID",
                "actor_uid=root", "invalid actor_uid 'root': not a number",
                "after=-1", "invalid after -1: must be from 0 to 9223372036854775807",
                "streams=x", "unknown filter 'streams': known are actor, actor_uid, after, correlation, follow, limit, since, stream, type, until");
        cases.forEach((query, message) -> {
            Answer answer = get("/tallyman/v1/events?" + query);
            assertThat(answer.status()).as(query + ": " + answer.body()).isEqualTo(400);
            assertThat(answer.headers().get("content-type")).startsWith("application/json");
            assertThat(answer.json().get("message").asText()).as(query).isEqualTo(message);
        });
        Answer noAt = get("/tallyman/v1/state");
        assertThat(noAt.status()).isEqualTo(400);
        assertThat(noAt.json().get("message").asText()).isEqualTo("at is required: an RFC 3339 time or a position");
        Answer beyond = get("/tallyman/v1/state?at=999999999");
        assertThat(beyond.status()).isEqualTo(400);
        assertThat(beyond.json().get("message").asText()).startsWith("position 999999999 is beyond the record");
    }

    @Test
    void theOpenApiDocumentListsTheRoutesAndDockersRoutesStillAnswer() {
        Answer doc = get("/tallyman/v1/openapi?format=json");
        assertThat(doc.status()).as(doc.body()).isEqualTo(200);
        JsonNode paths = doc.json().get("paths");
        assertThat(paths.has("/tallyman/v1/events")).as(doc.body()).isTrue();
        assertThat(paths.has("/tallyman/v1/state")).as(doc.body()).isTrue();
        List<String> parameters = StreamSupport.stream(paths.get("/tallyman/v1/events").get("get").get("parameters")
                .spliterator(), false).map(p -> p.get("name").asText()).toList();
        assertThat(parameters).contains("stream", "type", "actor_uid", "actor", "correlation", "since", "until",
                "after", "limit", "follow");

        // Docker's routes, bare and versioned, and its 404 shape, beside the audit API
        assertThat(get("/_ping").body()).isEqualTo("OK");
        assertThat(get("/v1.50/version").json().get("ApiVersion").asText()).isNotBlank();
        assertThat(get("/containers/json?all=1").status()).isEqualTo(200);
        Answer unknownDocker = get("/v1.50/no-such-route");
        assertThat(unknownDocker.status()).isEqualTo(404);
        assertThat(unknownDocker.json().get("message").asText()).isEqualTo("page not found");
        Answer unknownAudit = get("/tallyman/v1/no-such-route");
        assertThat(unknownAudit.status()).isEqualTo(404);
        assertThat(unknownAudit.json().get("message").asText()).isEqualTo("page not found");
    }

    @Test
    void timeTravelShowsAContainerBeforeItsRemovalAndNotAfter() throws Exception {
        String id = ok("create", "--name", "q11travel", "--label", "q11=yes", "busybox", "true").trim();
        ok("tag", "busybox:latest", "q11travel:v1");
        long beforeRemoval = lastPosition();
        Thread.sleep(20);
        Instant between = Instant.now();
        Thread.sleep(20);
        ok("rm", id);
        ok("rmi", "q11travel:v1");
        long afterRemoval = lastPosition();

        JsonNode before = get("/tallyman/v1/state?at=" + beforeRemoval).json();
        assertThat(before.get("position").asLong()).isEqualTo(beforeRemoval);
        JsonNode row = findContainer(before, id);
        assertThat(row).as(before.toString()).isNotNull();
        assertThat(row.get("Names").get(0).asText()).isEqualTo("/q11travel");
        assertThat(row.get("Labels").get("q11").asText()).isEqualTo("yes");
        assertThat(row.get("State").asText()).isEqualTo("created");
        assertThat(tagsOf(before)).contains("q11travel:v1", "busybox:latest");

        JsonNode atTime = get("/tallyman/v1/state?at=" + q(between.toString())).json();
        assertThat(atTime.get("position").asLong()).isEqualTo(beforeRemoval);
        assertThat(findContainer(atTime, id)).isNotNull();

        JsonNode after = get("/tallyman/v1/state?at=" + afterRemoval).json();
        assertThat(findContainer(after, id)).isNull();
        assertThat(tagsOf(after)).doesNotContain("q11travel:v1").contains("busybox:latest");
        assertThat(after.get("networks").toString()).contains("\"Name\":\"bridge\"");

        // The same shape as the live listing: the live ps row of a container equals its row at the newest position.
        String live = ok("create", "--name", "q11shape", "busybox", "true").trim();
        JsonNode now = get("/tallyman/v1/state?at=" + lastPosition()).json();
        JsonNode liveRow = null;
        for (JsonNode r : get("/containers/json?all=1").json()) {
            if (r.get("Id").asText().equals(live)) {
                liveRow = r;
            }
        }
        assertThat(findContainer(now, live)).isEqualTo(liveRow);
        ok("rm", live);
    }

    @Test
    void opsTallymanAuditPrintsTheSameQuery() throws Exception {
        String id = ok("create", "--name", "q11ops", "busybox", "true").trim();
        ok("rm", id);
        String script = Path.of("../../ops/tallyman").toAbsolutePath().normalize().toString();
        Map<String, String> env = Map.of("TALLYMAN_SOCKET", tallyman.socket.toString(),
                "TALLYMAN_DATA_ROOT", tallyman.dataRoot.toString(), "TALLYMAN_EXEC_ROOT", tallyman.execRoot.toString());
        List<JsonNode> expected = allPages("&stream=container-" + id, 1000);

        CommandResult jsonl = Shell.run(List.of(script, "audit", "--stream", "container-" + id), env, null, 60);
        assertThat(jsonl.exitCode()).as(jsonl.toString()).isZero();
        List<String> lines = jsonl.stdout().lines().toList();
        assertThat(lines).hasSameSizeAs(expected);
        for (int i = 0; i < lines.size(); i++) {
            assertThat(JSON.readTree(lines.get(i))).isEqualTo(expected.get(i));
        }

        CommandResult csv = Shell.run(List.of(script, "audit", "--stream", "container-" + id, "--type",
                "container.created", "--type", "container.removed", "--format", "csv"), env, null, 60);
        assertThat(csv.exitCode()).as(csv.toString()).isZero();
        List<String> rows = csv.stdout().lines().toList();
        assertThat(rows.get(0)).startsWith("position,occurredAt,stream,version,type,actorKind,actorUid");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(1)).contains(",container-" + id + ",", ",container.created,socket,0,");
        assertThat(rows.get(2)).contains(",container.removed,");

        // paged by one: the same events
        CommandResult small = Shell.run(List.of(script, "audit", "--stream", "container-" + id, "--limit", "2"), env, null, 60);
        assertThat(small.stdout().lines().count()).isEqualTo(2);

        CommandResult bad = Shell.run(List.of(script, "audit", "--since", "yesterday"), env, null, 60);
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stderr()).contains("tallyman audit: invalid since 'yesterday'");
    }

    private static JsonNode findContainer(JsonNode state, String id) {
        for (JsonNode c : state.get("containers")) {
            if (c.get("Id").asText().equals(id)) {
                return c;
            }
        }
        return null;
    }

    private static Set<String> tagsOf(JsonNode state) {
        Set<String> tags = new HashSet<>();
        state.get("images").forEach(i -> i.get("RepoTags").forEach(t -> tags.add(t.asText())));
        return tags;
    }

    @Test
    void followDeliversEveryEventOnceUnderConcurrentAppends() throws Exception {
        long start = lastPosition();
        Process follower = new ProcessBuilder("curl", "-s", "-N", "--unix-socket", tallyman.socket.toString(),
                "http://d/tallyman/v1/events?follow=true&after=" + start).redirectErrorStream(false).start();
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(follower.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the follower was ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            ExecutorService writers = Executors.newFixedThreadPool(8);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(writers.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        String tag = "t" + thread + "-" + i;
                        Answer tagged = http("POST", "/images/busybox:latest/tag?repo=q11follow&tag=" + tag, null);
                        assertThat(tagged.status()).as(tagged.body()).isEqualTo(201);
                        if (i % 3 == 0) {
                            Answer created = http("POST", "/containers/create?name=q11f-" + tag, "{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}");
                            assertThat(created.status()).as(created.body()).isEqualTo(201);
                            assertThat(http("DELETE", "/containers/q11f-" + tag, null).status()).isEqualTo(204);
                        }
                        Answer untagged = http("DELETE", "/images/q11follow:" + tag, null);
                        assertThat(untagged.status()).as(untagged.body()).isEqualTo(200);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
            writers.shutdown();
            long end = lastPosition();
            assertThat(end - start).isGreaterThan(8 * 15 * 2);
            eventually(Duration.ofSeconds(30), () -> lines.size(), n -> n >= end - start);
            Thread.sleep(700); // anything beyond the end would be a duplicate: give it time to show up
            List<Long> followed = lines.stream().map(l -> {
                try {
                    return JSON.readTree(l).get("position").asLong();
                } catch (Exception e) {
                    throw new AssertionError("not a JSON line: " + l, e);
                }
            }).toList();
            List<Long> recorded = allPages("", 10_000).stream().map(e -> e.get("position").asLong())
                    .filter(p -> p > start).toList();
            assertThat(followed).isEqualTo(recorded);
            assertThat(new HashSet<>(followed)).hasSameSizeAs(followed);
            assertThat(followed.get(0)).isEqualTo(start + 1);
            assertThat(followed.get(followed.size() - 1)).isEqualTo(end);
        } finally {
            follower.destroy();
            follower.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
