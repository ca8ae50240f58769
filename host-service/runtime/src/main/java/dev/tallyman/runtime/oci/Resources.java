package dev.tallyman.runtime.oci;

import java.util.OptionalLong;

/**
 * Cgroup limits ({@code --memory}, {@code --cpu-shares}, {@code --cpu-quota}/{@code --cpu-period},
 * {@code --pids-limit}); an empty value leaves the limit unset.
 */
public record Resources(OptionalLong memoryBytes, OptionalLong cpuShares, OptionalLong cpuQuota,
                        OptionalLong cpuPeriod, OptionalLong pidsLimit) {
    public Resources {
        positive("memory", memoryBytes);
        positive("cpu shares", cpuShares);
        positive("cpu period", cpuPeriod);
    }

    public static Resources none() {
        return new Resources(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty());
    }

    private static void positive(String name, OptionalLong value) {
        if (value.isPresent() && value.getAsLong() <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value.getAsLong());
        }
    }
}
