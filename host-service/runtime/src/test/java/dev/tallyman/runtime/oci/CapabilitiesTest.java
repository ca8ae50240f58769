package dev.tallyman.runtime.oci;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CapabilitiesTest {
    /** This machine's CapBnd: every capability up to CHECKPOINT_RESTORE except SYS_RESOURCE (bit 24). */
    static final long HOST_WITHOUT_SYS_RESOURCE = 0x000001fffeffffffL;
    static final long FULL_HOST = 0x000001ffffffffffL;

    record Case(String description, List<String> add, List<String> drop, boolean privileged, long bounding,
                List<String> expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static List<String> allBut(String... missing) {
        List<String> all = new ArrayList<>(Capabilities.LINUX.stream().map(name -> "CAP_" + name).toList());
        all.removeAll(List.of(missing));
        return all;
    }

    static List<String> defaultsWith(List<String> minus, List<String> plus) {
        List<String> result = new ArrayList<>(Capabilities.DOCKER_DEFAULT);
        result.removeAll(minus);
        result.addAll(plus);
        return result;
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("defaults", List.of(), List.of(), false, FULL_HOST, Capabilities.DOCKER_DEFAULT),
                new Case("add NET_ADMIN without prefix", List.of("net_admin"), List.of(), false, FULL_HOST,
                        defaultsWith(List.of(), List.of("CAP_NET_ADMIN"))),
                new Case("drop with prefix", List.of(), List.of("CAP_CHOWN", "kill"), false, FULL_HOST,
                        defaultsWith(List.of("CAP_CHOWN", "CAP_KILL"), List.of())),
                new Case("drop ALL keeps only added", List.of("NET_BIND_SERVICE"), List.of("ALL"), false, FULL_HOST,
                        List.of("CAP_NET_BIND_SERVICE")),
                new Case("add ALL minus dropped", List.of("ALL"), List.of("MKNOD"), false, FULL_HOST,
                        allBut("CAP_MKNOD")),
                new Case("privileged gets all the host allows", List.of(), List.of(), true, HOST_WITHOUT_SYS_RESOURCE,
                        allBut("CAP_SYS_RESOURCE")),
                new Case("privileged ignores drops", List.of(), List.of("ALL"), true, FULL_HOST, allBut()),
                new Case("added capability the host lacks is left out", List.of("SYS_RESOURCE"), List.of(), false,
                        HOST_WITHOUT_SYS_RESOURCE, Capabilities.DOCKER_DEFAULT),
                new Case("defaults limited by a narrow host", List.of(), List.of(), false, 0b1L,
                        List.of("CAP_CHOWN")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void resolvesLikeDocker(Case c) {
        assertThat(Capabilities.resolve(c.add(), c.drop(), c.privileged(), c.bounding()))
                .containsExactlyInAnyOrderElementsOf(c.expected());
    }

    @ParameterizedTest
    @MethodSource("unknownNames")
    void unknownNameIsRefusedWithItsName(String name) {
        assertThatThrownBy(() -> Capabilities.resolve(List.of(name), List.of(), false, FULL_HOST))
                .isInstanceOf(SpecificationException.class)
                .hasMessage("unknown capability: \"" + name + "\"");
    }

    static Stream<String> unknownNames() {
        return Stream.of("CAP_FLY", "fly", "");
    }
}
