package dev.tallyman.runtime.oci;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Cgroup limits as Docker's HostConfig asks for them; an empty value leaves the limit unset. Values are kept as
 * requested: {@link ResourceValidation#validate} checks them with Docker's messages and fills in Docker's
 * defaults, and only its result should reach {@link OciSpecWriter}.
 *
 * @param memoryBytes {@code --memory}
 * @param memorySwapBytes {@code --memory-swap}: memory plus swap; -1 means unlimited swap
 * @param nanoCpus {@code --cpus} in units of 10^-9 CPUs (1.5 CPUs = 1_500_000_000)
 * @param cpuShares {@code --cpu-shares}
 * @param cpuQuota {@code --cpu-quota} in microseconds per period
 * @param cpuPeriod {@code --cpu-period} in microseconds
 * @param cpusetCpus {@code --cpuset-cpus}, e.g. {@code 0-1} or {@code 0,2}
 * @param cpusetMems {@code --cpuset-mems}
 * @param pidsLimit {@code --pids-limit}; 0 or negative means unlimited (Docker's rule)
 */
public record Resources(OptionalLong memoryBytes, OptionalLong memorySwapBytes, OptionalLong nanoCpus,
                        OptionalLong cpuShares, OptionalLong cpuQuota, OptionalLong cpuPeriod,
                        Optional<String> cpusetCpus, Optional<String> cpusetMems, OptionalLong pidsLimit) {
    public Resources {
        Objects.requireNonNull(memoryBytes, "memoryBytes");
        Objects.requireNonNull(memorySwapBytes, "memorySwapBytes");
        Objects.requireNonNull(nanoCpus, "nanoCpus");
        Objects.requireNonNull(cpuShares, "cpuShares");
        Objects.requireNonNull(cpuQuota, "cpuQuota");
        Objects.requireNonNull(cpuPeriod, "cpuPeriod");
        Objects.requireNonNull(pidsLimit, "pidsLimit");
        cpusetCpus = Objects.requireNonNull(cpusetCpus, "cpusetCpus").filter(value -> !value.isEmpty());
        cpusetMems = Objects.requireNonNull(cpusetMems, "cpusetMems").filter(value -> !value.isEmpty());
    }

    /** The first shape of this record (memory, shares, quota, period, pids); kept for existing callers. */
    public Resources(OptionalLong memoryBytes, OptionalLong cpuShares, OptionalLong cpuQuota, OptionalLong cpuPeriod,
                     OptionalLong pidsLimit) {
        this(memoryBytes, OptionalLong.empty(), OptionalLong.empty(), cpuShares, cpuQuota, cpuPeriod,
                Optional.empty(), Optional.empty(), pidsLimit);
    }

    public static Resources none() {
        return new Resources(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty());
    }

    /**
     * From the Docker API's HostConfig fields, where 0 (and an empty string, and a null PidsLimit) means "not set".
     * MemorySwap -1 is kept: it means unlimited swap.
     */
    public static Resources fromDocker(long memory, long memorySwap, long nanoCpus, long cpuShares, long cpuQuota,
                                       long cpuPeriod, String cpusetCpus, String cpusetMems, Long pidsLimit) {
        return new Resources(set(memory), set(memorySwap), set(nanoCpus), set(cpuShares), set(cpuQuota),
                set(cpuPeriod), Optional.ofNullable(cpusetCpus), Optional.ofNullable(cpusetMems),
                pidsLimit == null || pidsLimit == 0 ? OptionalLong.empty() : OptionalLong.of(pidsLimit));
    }

    public Resources withMemorySwapBytes(OptionalLong value) {
        return new Resources(memoryBytes, value, nanoCpus, cpuShares, cpuQuota, cpuPeriod, cpusetCpus, cpusetMems,
                pidsLimit);
    }

    public Resources withCpuShares(OptionalLong value) {
        return new Resources(memoryBytes, memorySwapBytes, nanoCpus, value, cpuQuota, cpuPeriod, cpusetCpus,
                cpusetMems, pidsLimit);
    }

    /** Starts from no limits. */
    public static Builder builder() {
        return new Builder();
    }

    private static OptionalLong set(long value) {
        return value == 0 ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /** Sets limits one by one; what is not set stays unset. */
    public static final class Builder {
        private OptionalLong memory = OptionalLong.empty();
        private OptionalLong memorySwap = OptionalLong.empty();
        private OptionalLong nanoCpus = OptionalLong.empty();
        private OptionalLong cpuShares = OptionalLong.empty();
        private OptionalLong cpuQuota = OptionalLong.empty();
        private OptionalLong cpuPeriod = OptionalLong.empty();
        private Optional<String> cpusetCpus = Optional.empty();
        private Optional<String> cpusetMems = Optional.empty();
        private OptionalLong pidsLimit = OptionalLong.empty();

        private Builder() {
        }

        public Builder memory(long bytes) { memory = OptionalLong.of(bytes); return this; }
        public Builder memorySwap(long bytes) { memorySwap = OptionalLong.of(bytes); return this; }
        public Builder nanoCpus(long value) { nanoCpus = OptionalLong.of(value); return this; }
        public Builder cpuShares(long value) { cpuShares = OptionalLong.of(value); return this; }
        public Builder cpuQuota(long value) { cpuQuota = OptionalLong.of(value); return this; }
        public Builder cpuPeriod(long value) { cpuPeriod = OptionalLong.of(value); return this; }
        public Builder cpusetCpus(String value) { cpusetCpus = Optional.of(value); return this; }
        public Builder cpusetMems(String value) { cpusetMems = Optional.of(value); return this; }
        public Builder pidsLimit(long value) { pidsLimit = OptionalLong.of(value); return this; }

        public Resources build() {
            return new Resources(memory, memorySwap, nanoCpus, cpuShares, cpuQuota, cpuPeriod, cpusetCpus,
                    cpusetMems, pidsLimit);
        }
    }
}
