package dev.tallyman.runtime.cgroups;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Parsing of cgroup v1 and v2 files and /proc, from the fixture trees under src/test/resources/cgroups. */
class CgroupStatsTest {
    static final Instant NOW = Instant.parse("2026-03-01T10:00:00.5Z");

    static Path fixtures() {
        try {
            return Path.of(CgroupStatsTest.class.getResource("/cgroups").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static CgroupStats stats() {
        return new CgroupStats(fixtures().resolve("proc"), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void detectsTheHierarchy() {
        assertThat(CgroupPaths.isUnified(fixtures().resolve("v2"))).isTrue();
        assertThat(CgroupPaths.isUnified(fixtures().resolve("v1"))).isFalse();
    }

    @Test
    void readsV1() {
        StatsSample sample = stats().read(CgroupPaths.v1(fixtures().resolve("v1"), "/tallyman/c1"), OptionalInt.of(42));
        assertThat(sample.read()).isEqualTo(NOW);
        assertThat(sample.cpu()).isEqualTo(new StatsSample.Cpu(123_456_789, List.of(100_000_000L, 23_456_789L),
                30_000_000, 70_000_000, (1000 + 20 + 300 + 50000 + 40 + 0 + 6) * 10_000_000L, 2, 50, 4, 12_000_000));
        assertThat(sample.memory().usage()).isEqualTo(1_052_672);
        assertThat(sample.memory().maxUsage()).isEqualTo(2_097_152);
        assertThat(sample.memory().limit()).isEqualTo(16_777_216);
        assertThat(sample.memory().failcnt()).isEqualTo(3);
        assertThat(sample.memory().stats()).containsEntry("total_inactive_file", 4096L).containsEntry("rss", 524_288L);
        assertThat(sample.pids()).isEqualTo(new StatsSample.Pids(2, OptionalLong.of(10)));
        assertThat(sample.blkio().serviceBytes()).hasSize(6)
                .contains(new StatsSample.BlkioEntry(8, 0, "Read", 4096), new StatsSample.BlkioEntry(8, 0, "Total", 12288));
        assertThat(sample.blkio().serviced()).contains(new StatsSample.BlkioEntry(8, 0, "Write", 2));
        assertThat(sample.networks()).containsOnlyKeys("lo", "eth0");
        assertThat(sample.networks().get("eth0")).isEqualTo(new StatsSample.Network(1296, 16, 1, 2, 656, 8, 3, 4));
    }

    @Test
    void readsV2() {
        StatsSample sample = stats().read(CgroupPaths.v2(fixtures().resolve("v2"), "tallyman/c1"), OptionalInt.empty());
        assertThat(sample.cpu().totalUsage()).isEqualTo(250_000_000);
        assertThat(sample.cpu().userMode()).isEqualTo(200_000_000);
        assertThat(sample.cpu().kernelMode()).isEqualTo(50_000_000);
        assertThat(sample.cpu().perCpuUsage()).isEmpty();
        assertThat(sample.cpu().throttledTime()).isEqualTo(3_000_000);
        assertThat(sample.memory().usage()).isEqualTo(3_145_728);
        // "max" shows as the host's memory, as Docker does.
        assertThat(sample.memory().limit()).isEqualTo(24_576_000L * 1024);
        assertThat(sample.pids()).isEqualTo(new StatsSample.Pids(5, OptionalLong.empty()));
        assertThat(sample.blkio().serviceBytes()).containsExactly(new StatsSample.BlkioEntry(8, 0, "read", 4096),
                new StatsSample.BlkioEntry(8, 0, "write", 8192));
        assertThat(sample.networks()).isEmpty();
    }

    @Test
    void unlimitedV1MemoryShowsTheHostsMemory() throws Exception {
        Path root = Files.createTempDirectory("tallyman-cgroup-test");
        try {
            Path memory = Files.createDirectories(root.resolve("memory/c"));
            Files.writeString(memory.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
            StatsSample sample = stats().read(CgroupPaths.v1(root, "c"), OptionalInt.empty());
            assertThat(sample.memory().limit()).isEqualTo(24_576_000L * 1024);
            assertThat(sample.cpu().totalUsage()).as("missing controllers read as zero").isZero();
        } finally {
            try (var paths = Files.walk(root)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    @Test
    void runcStateGivesTheFolders() throws Exception {
        Path state = Files.createTempFile("tallyman-state", ".json");
        try {
            Files.writeString(state, "{\"cgroup_paths\":{\"memory\":\"/sys/fs/cgroup/memory/tallyman/x\","
                    + "\"cpu\":\"/sys/fs/cgroup/cpu/tallyman/x\"}}");
            CgroupPaths paths = CgroupPaths.fromRuncState(state);
            assertThat(paths.isV2()).isFalse();
            assertThat(paths.folder("memory")).contains(Path.of("/sys/fs/cgroup/memory/tallyman/x"));
            Files.writeString(state, "{\"cgroup_paths\":{\"\":\"/sys/fs/cgroup/tallyman/x\"}}");
            assertThat(CgroupPaths.fromRuncState(state).unified()).contains(Path.of("/sys/fs/cgroup/tallyman/x"));
        } finally {
            Files.delete(state);
        }
    }

    @Test
    void dockerJsonHasDockersShape() {
        StatsSample first = stats().read(CgroupPaths.v1(fixtures().resolve("v1"), "/tallyman/c1"), OptionalInt.of(42));
        JsonNode json = DockerStats.json("abc", "/web", first, Optional.empty(), true);
        assertThat(json.get("read").asText()).isEqualTo("2026-03-01T10:00:00.5Z");
        assertThat(json.get("preread").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(json.at("/cpu_stats/cpu_usage/total_usage").asLong()).isEqualTo(123_456_789);
        assertThat(json.at("/cpu_stats/cpu_usage/percpu_usage").size()).isEqualTo(2);
        assertThat(json.at("/cpu_stats/online_cpus").asInt()).isEqualTo(2);
        assertThat(json.at("/cpu_stats/throttling_data/throttled_periods").asLong()).isEqualTo(4);
        assertThat(json.at("/precpu_stats/cpu_usage/total_usage").asLong()).isZero();
        assertThat(json.at("/precpu_stats/system_cpu_usage").isMissingNode()).isTrue();
        assertThat(json.at("/memory_stats/limit").asLong()).isEqualTo(16_777_216);
        assertThat(json.at("/memory_stats/stats/cache").asLong()).isEqualTo(8192);
        assertThat(json.at("/pids_stats").toString()).isEqualTo("{\"current\":2,\"limit\":10}");
        assertThat(json.at("/blkio_stats/io_service_bytes_recursive/0").toString())
                .isEqualTo("{\"major\":8,\"minor\":0,\"op\":\"Read\",\"value\":4096}");
        assertThat(json.at("/blkio_stats/sectors_recursive").isNull()).isTrue();
        assertThat(json.get("networks").fieldNames()).toIterable().containsExactly("eth0");
        assertThat(json.at("/networks/eth0/rx_bytes").asLong()).isEqualTo(1296);
        assertThat(json.get("name").asText()).isEqualTo("/web");

        JsonNode second = DockerStats.json("abc", "/web", first, Optional.of(first), false);
        assertThat(second.get("preread").asText()).isEqualTo("2026-03-01T10:00:00.5Z");
        assertThat(second.at("/precpu_stats/system_cpu_usage").asLong()).isEqualTo(first.cpu().systemUsage());
        assertThat(second.has("networks")).isFalse();
        assertThat(Map.of()).isEmpty();
    }
}
