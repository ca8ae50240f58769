package dev.tallyman.host.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.host.it.KafkaBroker;
import dev.tallyman.host.it.TallymanProcess;
import dev.tallyman.host.it.TestDatabase;
import dev.tallyman.audit.evidence.CheckpointKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The relay to Kafka, for ops/bench/relay (runs only with -Dbench.relay=true): events/s that the store appends
 * (8 writers, as JournalBenchIT) against events/s that the service's Kafka relay publishes with every event
 * acknowledged by a real broker (KRaft, one node, child JVM). The relay's figure is a backlog drained from the
 * first position on a fresh topic, timed by sampling the relay's confirmed position on /metrics; several runs,
 * the median reported.
 */
class RelayBenchIT {

    @Test
    void relayKeepsUpWithAppends() throws Exception {
        assumeTrue(Boolean.getBoolean("bench.relay"), "a benchmark: run it with ops/bench/relay");
        long total = Long.getLong("bench.events", 200_000L);
        int runs = Integer.getInteger("bench.runs", 3);
        try (TestDatabase database = new TestDatabase(); KafkaBroker broker = new KafkaBroker("bench-relay")) {
            PGSimpleDataSource dataSource = database.migratedDataSource();
            double appendRate;
            long last;
            try (JdbcEventStore store = new JdbcEventStore(dataSource, Clock.systemUTC())) {
                long start = System.nanoTime();
                long appended = JournalBenchIT.fill(store, total);
                appendRate = appended / ((System.nanoTime() - start) / 1e9);
                last = store.lastPosition();
            }
            System.out.printf("relay: store appends %,.0f events/s (8 writers, %,d events)%n", appendRate, total);

            broker.start();
            // One checkpoint key for every run: each run's service starts from an empty data root, and a key made
            // anew there would not verify the checkpoints the run before signed into the same schema.
            Path keyDir = Files.createTempDirectory("bench-relay-key");
            Path key = keyDir.resolve("checkpoint.key");
            List<Double> rates = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                // each run a fresh topic and no stored position: the relay publishes the whole store again
                database.execute("delete from " + database.schema + ".relay_positions where relay = 'kafka'");
                createTopic(broker, "tallyman.bench." + run);
                TallymanProcess service = new TallymanProcess("bench-relay", database, "vfs")
                        .withEnv("TALLYMAN_KAFKA_BOOTSTRAP", broker.bootstrap())
                        .withEnv("TALLYMAN_KAFKA_TOPIC", "tallyman.bench." + run)
                        .withEnv("TALLYMAN_CHECKPOINT_KEY", key.toString())
                        // the filled store's container intents are never closed; the periodic reconciler would close
                        // them during the drain (thousands of events, appended while the relay is timed)
                        .withEnv("TALLYMAN_RECONCILE_EVERY", "24h");
                try {
                    service.start();
                    double rate = drainRate(service, last);
                    rates.add(rate);
                    System.out.printf("relay: run %d: %,.0f events/s published and acknowledged%n", run, rate);
                } finally {
                    service.close();
                }
            }
            for (Path file : List.of(key, CheckpointKey.publicFile(key), keyDir)) {
                Files.deleteIfExists(file);
            }
            double median = rates.stream().sorted().toList().get(rates.size() / 2);
            System.out.printf("relay: Kafka relay %,.0f events/s (median of %d runs), store %,.0f events/s: ratio %.2f%n",
                    median, runs, appendRate, median / appendRate);
            assertThat(median).isPositive();
        }
    }

    /**
     * Made before the service sends to it: a topic auto-created by the first send can answer NOT_LEADER_OR_FOLLOWER
     * while its partitions get their leader, after which the idempotent producer was seen retrying
     * OUT_OF_ORDER_SEQUENCE_NUMBER on one partition without end (a run that never finished).
     */
    private static void createTopic(KafkaBroker broker, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic).partitions()
                    .stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
                assertThat(System.nanoTime()).as("leaders of %s", topic).isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }

    /** Samples the relay's confirmed position until it reaches {@code last}; events per second between the samples. */
    private static double drainRate(TallymanProcess service, long last) {
        long firstAt = 0;
        double firstPosition = -1;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            long at = System.nanoTime();
            double position = confirmed(service);
            if (position >= 0 && firstPosition < 0) {
                firstAt = at;
                firstPosition = position;
            }
            if (position >= last) {
                return (position - firstPosition) / ((at - firstAt) / 1e9);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("relay did not reach position " + last);
    }

    private static double confirmed(TallymanProcess service) {
        String metrics = service.api("GET", "/metrics", null).stdout();
        Matcher m = Pattern.compile("(?m)^tallyman_relay_position\\{relay=\"kafka\"\\} (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
