package dev.tallyman.host.api;

import dev.tallyman.audit.event.ContainerSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of {@code docker inspect} that Docker 20.10 always sends, with the values it sends for a container
 * created without the matching option (checked against the peer, issue 15). Clients such as docker-py index them
 * without checking, so a key Tallyman has no setting for is sent with Docker's default, never left out.
 */
final class InspectDefaults {
    private InspectDefaults() {
    }

    @SuppressWarnings("unchecked")
    static void fill(Map<String, Object> inspect, ContainerSpec spec) {
        if (inspect.get("HostConfig") instanceof Map<?, ?> h) {
            Map<String, Object> host = new LinkedHashMap<>((Map<String, Object>) h);
            host.put("LogConfig", Map.of("Type", spec.options().logDriver(), "Config", spec.logOptions()));
            host.put("GroupAdd", spec.options().groupAdd().isEmpty() ? null : spec.options().groupAdd());
            Map<String, Object> defaults = new LinkedHashMap<>();
            defaults.put("Binds", null);
            defaults.put("ContainerIDFile", "");
            defaults.put("VolumeDriver", "");
            defaults.put("VolumesFrom", null);
            defaults.put("CgroupnsMode", "host");
            defaults.put("Dns", List.of());
            defaults.put("DnsOptions", List.of());
            defaults.put("DnsSearch", List.of());
            defaults.put("ExtraHosts", null);
            defaults.put("IpcMode", "private");
            defaults.put("Cgroup", "");
            defaults.put("Links", null);
            defaults.put("OomScoreAdj", 0);
            defaults.put("PidMode", "");
            defaults.put("UTSMode", "");
            defaults.put("UsernsMode", "");
            defaults.put("ShmSize", 67108864L);
            defaults.put("Runtime", "runc");
            defaults.put("Isolation", "");
            defaults.put("CgroupParent", "");
            defaults.put("BlkioWeight", 0);
            defaults.put("BlkioWeightDevice", List.of());
            defaults.put("BlkioDeviceReadBps", List.of());
            defaults.put("BlkioDeviceWriteBps", List.of());
            defaults.put("BlkioDeviceReadIOps", List.of());
            defaults.put("BlkioDeviceWriteIOps", List.of());
            defaults.put("CpuPeriod", 0);
            defaults.put("CpuQuota", 0);
            defaults.put("CpuRealtimePeriod", 0);
            defaults.put("CpuRealtimeRuntime", 0);
            defaults.put("CpusetMems", "");
            defaults.put("Devices", List.of());
            defaults.put("DeviceCgroupRules", null);
            defaults.put("DeviceRequests", null);
            defaults.put("KernelMemory", 0);
            defaults.put("KernelMemoryTCP", 0);
            defaults.put("MemoryReservation", 0);
            defaults.put("MemorySwappiness", null);
            defaults.put("OomKillDisable", false);
            defaults.put("CpuCount", 0);
            defaults.put("CpuPercent", 0);
            defaults.put("IOMaximumIOps", 0);
            defaults.put("IOMaximumBandwidth", 0);
            defaults.forEach(host::putIfAbsent);
            inspect.put("HostConfig", host);
        }
        if (!spec.options().keepsLogs()) {
            inspect.put("LogPath", ""); // --log-driver none keeps no file
        }
        if (inspect.get("NetworkSettings") instanceof Map<?, ?> n) {
            Map<String, Object> network = new LinkedHashMap<>((Map<String, Object>) n);
            network.putIfAbsent("MacAddress", "");
            network.putIfAbsent("LinkLocalIPv6Address", "");
            network.putIfAbsent("LinkLocalIPv6PrefixLen", 0);
            inspect.put("NetworkSettings", network);
        }
    }
}
