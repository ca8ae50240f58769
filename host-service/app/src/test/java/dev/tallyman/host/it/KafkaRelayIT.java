package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.audit.evidence.Checkpoint;
import dev.tallyman.audit.evidence.CheckpointFile;
import dev.tallyman.audit.evidence.CheckpointKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The stream to Kafka (issue 11) against a real broker: events appended by 8 concurrent API clients while the
 * service is SIGKILLed and started again and the broker is SIGKILLed and started again; afterwards the topic holds
 * every position of the store, keyed by stream with the position in a header, and a consumer that drops what it
 * has seen by position reads each stream exactly as the store has it.
 */
class KafkaRelayIT {
    private static final String TOPIC = "tallyman.events";
    private static final int EVENTS = 10_000;
    private static final int CLIENTS = 8;
    private static final String CHECKPOINT_TOPIC = "tallyman.checkpoints";
    private static final int CHECKPOINT_EVERY = 500;

    @Test
    void topicHoldsEveryPositionInStreamOrderAfterServiceKillAndBrokerRestart() throws Exception {
        try (TestDatabase database = new TestDatabase();
             KafkaBroker broker = new KafkaBroker("kf11-relay");
             TallymanProcess tallyman = new TallymanProcess("kf11-relay", database, "vfs")) {
            broker.start();
            // a checkpoint every 500 events: a score of them, some signed while the service or the broker is down
            tallyman.withEnv("TALLYMAN_KAFKA_BOOTSTRAP", broker.bootstrap())
                    .withEnv("TALLYMAN_CHECKPOINT_EVERY_EVENTS", Integer.toString(CHECKPOINT_EVERY)).start();
            CommandResult imported = tallyman.docker("import", BusyboxTar.get().toString(), "kf11-base:latest");
            assertThat(imported.exitCode()).as(imported.toString()).isZero();

            long first = lastPosition(database);
            long target = first + EVENTS;
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong calls = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                // half tag and untag one image (one long stream), half create and remove volumes (many short streams)
                clients.submit(() -> client % 2 == 0 ? tagAndUntag(tallyman.socket, client, stop, calls, refused)
                        : createAndRemoveVolumes(tallyman.socket, client, stop, calls, refused));
            }
            try {
                awaitPosition(database, first + EVENTS * 3 / 10);
                tallyman.kill(); // the relay dies with the service, mid-stream
                tallyman.start();
                awaitPosition(database, first + EVENTS * 6 / 10);
                long failedBefore = refused.get();
                long callsBefore = calls.get();
                broker.kill();
                sleep(3000); // commands go on while no broker answers
                broker.start();
                assertThat(refused.get()).as("API calls failed while the broker was down").isEqualTo(failedBefore);
                assertThat(calls.get()).as("API calls answered while the broker was down").isGreaterThan(callsBefore);
                awaitPosition(database, target);
            } finally {
                stop.set(true);
                clients.shutdown();
                clients.awaitTermination(60, TimeUnit.SECONDS);
            }
            long last = lastPosition(database);
            assertThat(last).isGreaterThanOrEqualTo(target);
            awaitMetric(tallyman, "tallyman_relay_position{relay=\"kafka\"}", last, Duration.ofSeconds(120));

            Map<Long, StoredRow> store = storeRows(database);
            Map<String, List<Long>> storeStreams = new HashMap<>();
            store.forEach((position, row) -> storeStreams.computeIfAbsent(row.stream, s -> new ArrayList<>()).add(position));

            // The consumer's rule from the README: per key, drop a record whose position is not above the last kept.
            Map<String, List<Long>> kept = new HashMap<>();
            Map<Long, Integer> copies = new TreeMap<>();
            ObjectMapper json = new ObjectMapper();
            for (ConsumerRecord<String, String> record : readTopic(broker, TOPIC)) {
                Header header = record.headers().lastHeader("tallyman-position");
                assertThat(header).as("position header of %s", record).isNotNull();
                long position = Long.parseLong(new String(header.value(), StandardCharsets.US_ASCII));
                StoredRow row = store.get(position);
                assertThat(row).as("position %d is in the store", position).isNotNull();
                assertThat(record.key()).isEqualTo(row.stream);
                JsonNode value = json.readTree(record.value());
                assertThat(value.path("position").asLong()).isEqualTo(position);
                assertThat(value.path("stream").asText()).isEqualTo(row.stream);
                assertThat(value.path("version").asLong()).isEqualTo(row.version);
                assertThat(value.path("type").asText()).isEqualTo(row.type);
                assertThat(value.path("hash").asText()).isEqualTo(row.hash);
                assertThat(value.has("payload") && value.has("actor") && value.has("correlationId")
                        && value.has("occurredAt")).as(record.value()).isTrue();
                copies.merge(position, 1, Integer::sum);
                List<Long> stream = kept.computeIfAbsent(record.key(), k -> new ArrayList<>());
                if (stream.isEmpty() || stream.get(stream.size() - 1) < position) {
                    stream.add(position);
                }
            }
            assertThat(copies.keySet()).as("every position of the store is on the topic").containsExactlyElementsOf(store.keySet());
            assertThat(kept).as("each stream, duplicates dropped by position, as the store has it").isEqualTo(storeStreams);
            long duplicates = copies.values().stream().mapToLong(n -> n - 1).sum();
            System.out.printf("kf11: %d events on the record, %d API calls (%d failed during the outages), "
                    + "%d duplicates on the topic%n", store.size(), calls.get(), refused.get(), duplicates);

            // The in-process channel's subscriber in the service was handed every event since its start.
            awaitMetric(tallyman, "tallyman_relay_memory_last_position", last, Duration.ofSeconds(30));
            assertThat(metric(tallyman, "tallyman_relay_lag_events{relay=\"kafka\"}")).isZero();

            checkpointsTopicHoldsTheTable(broker, database, tallyman, store);
        }
    }

    /**
     * Signed checkpoints to Kafka: every checkpoint of the table reaches the checkpoints topic (those signed while
     * the broker was down or the service dead too), each signed by the service's key (its public file) and naming
     * the same position and head hash as its row in the table and as the event at that position.
     */
    private static void checkpointsTopicHoldsTheTable(KafkaBroker broker, TestDatabase database, TallymanProcess tallyman,
                                                      Map<Long, StoredRow> store) throws Exception {
        Map<Long, String> table = checkpointRows(database);
        assertThat(table.size()).as("checkpoints signed, one per %d events", CHECKPOINT_EVERY)
                .isGreaterThanOrEqualTo(EVENTS / CHECKPOINT_EVERY / 2);
        CheckpointKey key = CheckpointKey.publicOnly(CheckpointKey.publicFile(tallyman.dataRoot.resolve("config/checkpoint.key")));
        Map<Long, Checkpoint> onTopic = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!onTopic.keySet().containsAll(table.keySet())) {
            assertThat(System.nanoTime()).as("checkpoints %s on the topic, has %s", table.keySet(), onTopic.keySet())
                    .isLessThan(deadline);
            sleep(500);
            for (ConsumerRecord<String, String> record : readTopic(broker, CHECKPOINT_TOPIC)) {
                assertThat(record.key()).isEqualTo("checkpoint");
                Checkpoint checkpoint = CheckpointFile.fromJson(record.value());
                Header header = record.headers().lastHeader("tallyman-position");
                assertThat(header).as("position header of %s", record).isNotNull();
                assertThat(new String(header.value(), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(checkpoint.position()));
                assertThat(key.check(checkpoint)).as("signature of %s", record.value()).isEmpty();
                onTopic.put(checkpoint.position(), checkpoint);
            }
        }
        Map<Long, String> tableNow = checkpointRows(database);
        for (Checkpoint checkpoint : onTopic.values()) {
            assertThat(tableNow.get(checkpoint.position())).as("table row of checkpoint %d", checkpoint.position())
                    .isEqualTo(checkpoint.headHash());
            assertThat(store.get(checkpoint.position()).hash).as("event at checkpoint %d", checkpoint.position())
                    .isEqualTo(checkpoint.headHash());
        }
        System.out.printf("kf11: %d checkpoints in the table, all on %s with a valid signature%n", table.size(),
                CHECKPOINT_TOPIC);
    }

    private static Map<Long, String> checkpointRows(TestDatabase database) throws Exception {
        Map<Long, String> rows = new TreeMap<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select position, head_hash from checkpoints order by position")) {
            while (r.next()) {
                rows.put(r.getLong(1), r.getString(2));
            }
        }
        return rows;
    }

    /** One API client: tags the base image under its own names and untags them, until told to stop. */
    private static Void tagAndUntag(Path socket, int client, AtomicBoolean stop, AtomicLong calls, AtomicLong failed) {
        for (long n = 0; !stop.get(); n++) {
            String name = "kf11-c" + client + ":n" + n;
            boolean ok = call(socket, "POST", "/images/kf11-base:latest/tag?repo=kf11-c" + client + "&tag=n" + n, "") == 201
                    && call(socket, "DELETE", "/images/" + name, "") == 200;
            counted(ok, calls, failed);
        }
        return null;
    }

    /** One API client: creates a volume of its own and removes it, until told to stop. */
    private static Void createAndRemoveVolumes(Path socket, int client, AtomicBoolean stop, AtomicLong calls,
                                               AtomicLong failed) {
        for (long n = 0; !stop.get(); n++) {
            String name = "kf11-c" + client + "-v" + n;
            boolean ok = call(socket, "POST", "/volumes/create", "{\"Name\":\"" + name + "\"}") == 201
                    && call(socket, "DELETE", "/volumes/" + name, "") == 204;
            counted(ok, calls, failed);
        }
        return null;
    }

    private static void counted(boolean ok, AtomicLong calls, AtomicLong failed) {
        calls.addAndGet(2);
        if (!ok) {
            failed.incrementAndGet();
            sleep(100); // the service is restarting
        }
    }

    /** One HTTP request over the unix socket, one connection; answers the status, or -1 when nobody answered. */
    private static int call(Path socket, String method, String path, String body) {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            String request = method + " " + path + " HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + content.length + "\r\nConnection: close\r\n\r\n" + body;
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            Channels.newInputStream(channel).transferTo(answer);
            String text = answer.toString(StandardCharsets.UTF_8);
            return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static List<ConsumerRecord<String, String>> readTopic(KafkaBroker broker, String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                assertThat(System.nanoTime()).as("topic read within 60 s").isLessThan(deadline);
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            return records;
        }
    }

    private record StoredRow(String stream, long version, String type, String hash) {
    }

    private static Map<Long, StoredRow> storeRows(TestDatabase database) throws Exception {
        Map<Long, StoredRow> rows = new TreeMap<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select position, stream_id, version, type, hash from events order by position")) {
            while (r.next()) {
                rows.put(r.getLong(1), new StoredRow(r.getString(2), r.getLong(3), r.getString(4), r.getString(5)));
            }
        }
        return rows;
    }

    private static long lastPosition(TestDatabase database) throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select coalesce(max(position), 0) from events")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static void awaitPosition(TestDatabase database, long position) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (lastPosition(database) < position) {
            assertThat(System.nanoTime()).as("store reaches position %d", position).isLessThan(deadline);
            sleep(200);
        }
    }

    private static double metric(TallymanProcess tallyman, String series) {
        CommandResult scrape = tallyman.api("GET", "/metrics", null);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape.stdout());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static void awaitMetric(TallymanProcess tallyman, String series, long value, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        double seen = Double.NaN;
        while (System.nanoTime() < deadline) {
            seen = metric(tallyman, series);
            if (seen == value) {
                return;
            }
            sleep(500);
        }
        throw new AssertionError(series + " is " + seen + ", not " + value + " after " + limit);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
