package dev.tallyman.host.api.json;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The body of POST /containers/create, as far as Tallyman reads it. Unknown fields are ignored, as Docker does.
 * Cmd and Entrypoint may be null (take the image's), a list, or (old clients) a single string.
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerCreateBody(
        String hostname,
        String domainname,
        String user,
        boolean attachStdin,
        boolean attachStdout,
        boolean attachStderr,
        boolean tty,
        boolean openStdin,
        boolean stdinOnce,
        List<String> env,
        @com.fasterxml.jackson.annotation.JsonFormat(with = com.fasterxml.jackson.annotation.JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<String> cmd,
        @com.fasterxml.jackson.annotation.JsonFormat(with = com.fasterxml.jackson.annotation.JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<String> entrypoint,
        String image,
        String workingDir,
        Map<String, String> labels,
        String stopSignal,
        Integer stopTimeout,
        HostConfig hostConfig,
        Map<String, Object> exposedPorts,
        NetworkingConfig networkingConfig,
        Map<String, Object> volumes,
        HealthcheckBody healthcheck) {

    /** Config.Healthcheck: durations in nanoseconds, zero for "inherit from the image / Docker's default". */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HealthcheckBody(List<String> test, long interval, long timeout, long startPeriod, int retries,
            long startInterval) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HostConfig(
            String networkMode,
            boolean autoRemove,
            boolean privileged,
            boolean readonlyRootfs,
            List<String> capAdd,
            List<String> capDrop,
            List<String> securityOpt,
            Boolean init,
            RestartPolicy restartPolicy,
            long memory,
            long memorySwap,
            long nanoCpus,
            long cpuShares,
            long cpuQuota,
            long cpuPeriod,
            String cpusetCpus,
            Long pidsLimit,
            List<Ulimit> ulimits,
            Map<String, String> tmpfs,
            LogConfig logConfig,
            List<Integer> consoleSize,
            Map<String, List<PortBinding>> portBindings,
            boolean publishAllPorts,
            List<String> binds,
            List<MountBody> mounts,
            List<String> volumesFrom,
            List<String> groupAdd,
            List<String> links,
            Map<String, String> storageOpt) {

        public static HostConfig empty() {
            return new HostConfig("", false, false, false, List.of(), List.of(), List.of(), null, null, 0, 0, 0, 0, 0, 0,
                    "", null, List.of(), Map.of(), null, null, Map.of(), false, null, null, null, null, null, null);
        }
    }

    /** One host side of HostConfig.PortBindings["80/tcp"]: HostIp "" for all addresses, HostPort "" for any. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PortBinding(String hostIp, String hostPort) {
    }

    /** One entry of HostConfig.Mounts, what the CLI sends for --mount. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record MountBody(String type, String source, String target, boolean readOnly, BindOptions bindOptions,
                            VolumeOptions volumeOptions, TmpfsOptions tmpfsOptions) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record NetworkingConfig(Map<String, EndpointSettings> endpointsConfig) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BindOptions(String propagation, boolean createMountpoint) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EndpointSettings(@com.fasterxml.jackson.annotation.JsonProperty("IPAMConfig") IpamConfig ipamConfig,
                                   List<String> aliases) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record IpamConfig(@com.fasterxml.jackson.annotation.JsonProperty("IPv4Address") String ipv4Address) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record VolumeOptions(boolean noCopy, Map<String, String> labels, DriverConfig driverConfig) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DriverConfig(String name, Map<String, String> options) {
    }

    /** Mode is a Go os.FileMode: a number, the permission bits (and sticky/setgid ones) of the tmpfs' root. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TmpfsOptions(long sizeBytes, long mode) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RestartPolicy(String name, int maximumRetryCount) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Ulimit(String name, long soft, long hard) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LogConfig(String type, Map<String, String> config) {
    }
}
