package dev.tallyman.runtime.cgroups;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Docker's {@code GET /containers/{id}/stats} body from two samples: {@code precpu_stats} and {@code preread}
 * are the previous sample (zeros and Go's zero time when there is none, as Docker's first streamed object and
 * every {@code stream=false} answer without a one-shot wait have).
 */
public final class DockerStats {
    /** Go's zero time as Docker prints it. */
    public static final String ZERO_TIME = "0001-01-01T00:00:00Z";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerStats() {
    }

    /**
     * @param name the container's name with Docker's leading slash
     * @param withNetworks false for a container on the host's network, which Docker reports without networks
     */
    public static ObjectNode json(String id, String name, StatsSample current, Optional<StatsSample> previous,
                                  boolean withNetworks) {
        ObjectNode body = JSON.createObjectNode();
        body.put("read", time(current.read()));
        body.put("preread", previous.map(sample -> time(sample.read())).orElse(ZERO_TIME));
        ObjectNode pids = body.putObject("pids_stats");
        if (current.pids().current() > 0) {
            pids.put("current", current.pids().current());
        }
        current.pids().limit().ifPresent(limit -> pids.put("limit", limit));
        body.set("blkio_stats", blkio(current.blkio()));
        body.put("num_procs", 0);
        body.putObject("storage_stats");
        body.set("cpu_stats", cpu(Optional.of(current.cpu())));
        body.set("precpu_stats", cpu(previous.map(StatsSample::cpu)));
        body.set("memory_stats", memory(current.memory()));
        body.put("name", name);
        body.put("id", id);
        if (withNetworks) {
            ObjectNode networks = JSON.createObjectNode();
            // Docker lists the interfaces it made (eth0, ...), never the namespace's loopback.
            new TreeMap<>(current.networks()).forEach((interfaceName, counters) -> {
                if (!interfaceName.equals("lo")) {
                    ObjectNode node = networks.putObject(interfaceName);
                    node.put("rx_bytes", counters.rxBytes());
                    node.put("rx_packets", counters.rxPackets());
                    node.put("rx_errors", counters.rxErrors());
                    node.put("rx_dropped", counters.rxDropped());
                    node.put("tx_bytes", counters.txBytes());
                    node.put("tx_packets", counters.txPackets());
                    node.put("tx_errors", counters.txErrors());
                    node.put("tx_dropped", counters.txDropped());
                }
            });
            if (!networks.isEmpty()) {
                body.set("networks", networks);
            }
        }
        return body;
    }

    private static ObjectNode cpu(Optional<StatsSample.Cpu> sample) {
        ObjectNode cpu = JSON.createObjectNode();
        ObjectNode usage = cpu.putObject("cpu_usage");
        usage.put("total_usage", sample.map(StatsSample.Cpu::totalUsage).orElse(0L));
        if (sample.isPresent() && !sample.get().perCpuUsage().isEmpty()) {
            ArrayNode perCpu = usage.putArray("percpu_usage");
            sample.get().perCpuUsage().forEach(perCpu::add);
        }
        usage.put("usage_in_kernelmode", sample.map(StatsSample.Cpu::kernelMode).orElse(0L));
        usage.put("usage_in_usermode", sample.map(StatsSample.Cpu::userMode).orElse(0L));
        if (sample.isPresent()) {
            cpu.put("system_cpu_usage", sample.get().systemUsage());
            cpu.put("online_cpus", sample.get().onlineCpus());
        }
        ObjectNode throttling = cpu.putObject("throttling_data");
        throttling.put("periods", sample.map(StatsSample.Cpu::throttlingPeriods).orElse(0L));
        throttling.put("throttled_periods", sample.map(StatsSample.Cpu::throttledPeriods).orElse(0L));
        throttling.put("throttled_time", sample.map(StatsSample.Cpu::throttledTime).orElse(0L));
        return cpu;
    }

    private static ObjectNode memory(StatsSample.Memory sample) {
        ObjectNode memory = JSON.createObjectNode();
        memory.put("usage", sample.usage());
        if (sample.maxUsage() > 0) {
            memory.put("max_usage", sample.maxUsage());
        }
        ObjectNode stats = memory.putObject("stats");
        new TreeMap<>(sample.stats()).forEach(stats::put);
        if (sample.failcnt() > 0) {
            memory.put("failcnt", sample.failcnt());
        }
        memory.put("limit", sample.limit());
        return memory;
    }

    private static ObjectNode blkio(StatsSample.Blkio sample) {
        ObjectNode blkio = JSON.createObjectNode();
        entries(blkio, "io_service_bytes_recursive", sample.serviceBytes());
        entries(blkio, "io_serviced_recursive", sample.serviced());
        for (String absent : List.of("io_queue_recursive", "io_service_time_recursive", "io_wait_time_recursive",
                "io_merged_recursive", "io_time_recursive", "sectors_recursive")) {
            blkio.putNull(absent);
        }
        return blkio;
    }

    private static void entries(ObjectNode blkio, String field, List<StatsSample.BlkioEntry> entries) {
        if (entries.isEmpty()) {
            blkio.putNull(field);
            return;
        }
        ArrayNode array = blkio.putArray(field);
        for (StatsSample.BlkioEntry entry : entries) {
            array.addObject().put("major", entry.major()).put("minor", entry.minor()).put("op", entry.op())
                    .put("value", entry.value());
        }
    }

    /** RFC 3339 with nanoseconds and trailing zeros dropped, in UTC, as Go prints a time.Time in JSON. */
    static String time(Instant instant) {
        return dev.tallyman.runtime.logs.GoTime.format(instant);
    }

}
