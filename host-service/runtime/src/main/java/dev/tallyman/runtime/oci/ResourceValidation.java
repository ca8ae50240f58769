package dev.tallyman.runtime.oci;

import java.util.OptionalLong;
import java.util.Set;

/**
 * Docker's checks of a container's resources at create time (runconfig's validateResources, then the daemon's
 * verifyPlatformContainerResources) in Docker's order and with its messages, followed by its adjustments:
 * swap defaults to twice the memory, shares are clamped to the kernel's range.
 */
public final class ResourceValidation {
    /** Docker's floor: not the kernel's, but enough for a container to start. */
    public static final long MIN_MEMORY = 6L * 1024 * 1024;
    static final long MIN_CPU_SHARES = 2;
    static final long MAX_CPU_SHARES = 262_144;
    // Docker's sysinfo caps the cpuset lists it parses, so a huge range cannot make a huge set.
    private static final int MAX_CPUSET_NUMBER = 8192;

    private ResourceValidation() {
    }

    /** {@link #validate(Resources, HostCpus)} against this host. */
    public static Resources validate(Resources requested) {
        return validate(requested, HostCpus.current());
    }

    /**
     * Checks {@code requested} and returns what the container gets (and what inspect shows).
     *
     * @throws InvalidResourceException with Docker's message for the first rule broken
     */
    public static Resources validate(Resources requested, HostCpus host) {
        long shares = requested.cpuShares().orElse(0);
        if (shares < 0) {
            throw new InvalidResourceException("invalid CPU shares (" + shares + "): value must be a positive integer");
        }
        long memory = requested.memoryBytes().orElse(0);
        long swap = requested.memorySwapBytes().orElse(0);
        if (memory != 0 && memory < MIN_MEMORY) {
            throw new InvalidResourceException("Minimum memory limit allowed is 6MB");
        }
        if (memory > 0 && swap > 0 && swap < memory) {
            throw new InvalidResourceException("Minimum memoryswap limit should be larger than memory limit, see usage");
        }
        if (memory == 0 && swap > 0) {
            throw new InvalidResourceException(
                    "You should always set the Memory limit when using Memoryswap limit, see usage");
        }
        long nanoCpus = requested.nanoCpus().orElse(0);
        long period = requested.cpuPeriod().orElse(0);
        long quota = requested.cpuQuota().orElse(0);
        if (nanoCpus > 0 && period > 0) {
            throw new InvalidResourceException("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }
        if (nanoCpus > 0 && quota > 0) {
            throw new InvalidResourceException("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
        }
        if (nanoCpus < 0 || nanoCpus > host.online() * 1_000_000_000L) {
            throw new InvalidResourceException("Range of CPUs is from 0.01 to " + host.online()
                    + ".00, as there are only " + host.online() + " CPUs available");
        }
        if (period != 0 && (period < 1000 || period > 1_000_000)) {
            throw new InvalidResourceException(
                    "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
        }
        if (quota > 0 && quota < 1000) {
            throw new InvalidResourceException("CPU cfs quota can not be less than 1ms (i.e. 1000)");
        }
        requested.cpusetCpus().ifPresent(cpus -> checkCpuset(cpus, host.cpus(), "cpus", "CPUs"));
        requested.cpusetMems().ifPresent(mems -> checkCpuset(mems, host.mems(), "mems", "memory nodes"));

        Resources adapted = requested;
        if (shares > 0 && (shares < MIN_CPU_SHARES || shares > MAX_CPU_SHARES)) {
            adapted = adapted.withCpuShares(OptionalLong.of(Math.max(MIN_CPU_SHARES, Math.min(MAX_CPU_SHARES, shares))));
        }
        if (memory > 0 && swap == 0) {
            adapted = adapted.withMemorySwapBytes(OptionalLong.of(memory * 2));
        }
        return adapted;
    }

    private static void checkCpuset(String requested, String available, String kind, String noun) {
        Set<Integer> wanted;
        try {
            wanted = CpuList.parse(requested, MAX_CPUSET_NUMBER);
        } catch (IllegalArgumentException e) {
            throw new InvalidResourceException("Invalid value " + requested + " for cpuset " + kind + ": "
                    + e.getMessage());
        }
        Set<Integer> present = CpuList.parse(available, Integer.MAX_VALUE);
        if (!present.containsAll(wanted)) {
            throw new InvalidResourceException("Requested " + noun + " are not available - requested " + requested
                    + ", available: " + available);
        }
    }
}
