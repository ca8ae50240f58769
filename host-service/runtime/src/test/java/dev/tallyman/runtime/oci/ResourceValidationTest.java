package dev.tallyman.runtime.oci;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceValidationTest {
    static final HostCpus TWO_CPUS = new HostCpus(2, "0-1", "0");

    record Refused(String description, UnaryOperator<Resources.Builder> request, String message) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Refused> refused() {
        return Stream.of(
                new Refused("memory below 6MB", b -> b.memory(4L << 20), "Minimum memory limit allowed is 6MB"),
                new Refused("negative memory", b -> b.memory(-5), "Minimum memory limit allowed is 6MB"),
                new Refused("swap below memory", b -> b.memory(64L << 20).memorySwap(32L << 20),
                        "Minimum memoryswap limit should be larger than memory limit, see usage"),
                new Refused("swap without memory", b -> b.memorySwap(64L << 20),
                        "You should always set the Memory limit when using Memoryswap limit, see usage"),
                new Refused("cpus above the host's", b -> b.nanoCpus(3_000_000_000L),
                        "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"),
                new Refused("negative cpus", b -> b.nanoCpus(-1),
                        "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"),
                new Refused("cpus with a period", b -> b.nanoCpus(1_000_000_000L).cpuPeriod(50_000),
                        "Conflicting options: Nano CPUs and CPU Period cannot both be set"),
                new Refused("cpus with a quota", b -> b.nanoCpus(1_000_000_000L).cpuQuota(50_000),
                        "Conflicting options: Nano CPUs and CPU Quota cannot both be set"),
                new Refused("period too short", b -> b.cpuPeriod(999),
                        "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"),
                new Refused("period too long", b -> b.cpuPeriod(1_000_001),
                        "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"),
                new Refused("quota too small", b -> b.cpuQuota(999), "CPU cfs quota can not be less than 1ms (i.e. 1000)"),
                new Refused("negative shares", b -> b.cpuShares(-2),
                        "invalid CPU shares (-2): value must be a positive integer"),
                new Refused("cpuset not a list", b -> b.cpusetCpus("abc"),
                        "Invalid value abc for cpuset cpus: invalid format: abc"),
                new Refused("cpuset reversed range", b -> b.cpusetCpus("1-0"),
                        "Invalid value 1-0 for cpuset cpus: invalid format: 1-0"),
                new Refused("cpuset with empty pieces", b -> b.cpusetCpus("1-42,,"),
                        "Invalid value 1-42,, for cpuset cpus: invalid format: 1-42,,"),
                new Refused("cpuset beyond the host", b -> b.cpusetCpus("5"),
                        "Requested CPUs are not available - requested 5, available: 0-1"),
                new Refused("cpuset mems beyond the host", b -> b.cpusetMems("1"),
                        "Requested memory nodes are not available - requested 1, available: 0"),
                new Refused("cpuset mems malformed", b -> b.cpusetMems("42-3,1--"),
                        "Invalid value 42-3,1-- for cpuset mems: invalid format: 42-3,1--"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesWithDockersMessage(Refused c) {
        Resources request = c.request().apply(Resources.builder()).build();
        assertThatThrownBy(() -> ResourceValidation.validate(request, TWO_CPUS))
                .isInstanceOf(InvalidResourceException.class)
                .hasMessage(c.message());
    }

    record Accepted(String description, UnaryOperator<Resources.Builder> request, Resources expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Accepted> accepted() {
        return Stream.of(
                new Accepted("nothing asked", b -> b, Resources.none()),
                new Accepted("swap defaults to twice the memory", b -> b.memory(64L << 20),
                        Resources.builder().memory(64L << 20).memorySwap(128L << 20).build()),
                new Accepted("unlimited swap stays", b -> b.memory(64L << 20).memorySwap(-1),
                        Resources.builder().memory(64L << 20).memorySwap(-1).build()),
                new Accepted("swap equal to memory", b -> b.memory(64L << 20).memorySwap(64L << 20),
                        Resources.builder().memory(64L << 20).memorySwap(64L << 20).build()),
                new Accepted("exactly 6MB", b -> b.memory(6L << 20),
                        Resources.builder().memory(6L << 20).memorySwap(12L << 20).build()),
                new Accepted("all CPUs", b -> b.nanoCpus(2_000_000_000L),
                        Resources.builder().nanoCpus(2_000_000_000L).build()),
                new Accepted("shares below 2 are raised", b -> b.cpuShares(1), Resources.builder().cpuShares(2).build()),
                new Accepted("shares above the kernel's are lowered", b -> b.cpuShares(500_000),
                        Resources.builder().cpuShares(262_144).build()),
                new Accepted("cpuset within the host", b -> b.cpusetCpus("0,1").cpusetMems("0"),
                        Resources.builder().cpusetCpus("0,1").cpusetMems("0").build()),
                new Accepted("pids limit as given", b -> b.pidsLimit(-1), Resources.builder().pidsLimit(-1).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void acceptsAndAdapts(Accepted c) {
        assertThat(ResourceValidation.validate(c.request().apply(Resources.builder()).build(), TWO_CPUS))
                .isEqualTo(c.expected());
    }

    @org.junit.jupiter.api.Test
    void dockerZeroMeansUnset() {
        Resources fromApi = Resources.fromDocker(0, 0, 0, 0, 0, 0, "", "", 0L);
        assertThat(fromApi).isEqualTo(Resources.none());
        assertThat(Resources.fromDocker(1 << 26, -1, 0, 0, 0, 0, null, null, null).memorySwapBytes())
                .isEqualTo(OptionalLong.of(-1));
    }
}
