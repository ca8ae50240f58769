package dev.tallyman.host.commands.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.audit.event.ContainerMount;
import dev.tallyman.host.commands.EngineException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** -v text as the CLI puts it into HostConfig.Binds, read as Docker's Linux parser reads it. */
class BindSpecTest {

    record Case(String description, String text, ContainerMount expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    record Refusal(String description, String text, String message) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> accepted() {
        return Stream.of(
                new Case("host folder, read-write, private", "/srv/www:/usr/share/www",
                        new ContainerMount("bind", "/srv/www", "/usr/share/www", false, "", "rprivate", false, "", "binds", "/srv/www:/usr/share/www")),
                new Case("host folder read-only", "/srv:/data:ro",
                        new ContainerMount("bind", "/srv", "/data", true, "ro", "rprivate", false, "", "binds", "/srv:/data:ro")),
                new Case("propagation and SELinux label words", "/srv:/data:rw,rshared,z",
                        new ContainerMount("bind", "/srv", "/data", false, "rw,rshared,z", "rshared", false, "", "binds", "/srv:/data:rw,rshared,z")),
                new Case("named volume shows mode z", "pgdata:/var/lib/postgresql/data",
                        new ContainerMount("volume", "pgdata", "/var/lib/postgresql/data", false, "z", "", false, "", "binds", "pgdata:/var/lib/postgresql/data")),
                new Case("named volume without copy-up, read-only", "cache:/cache:ro,nocopy",
                        new ContainerMount("volume", "cache", "/cache", true, "ro,nocopy", "", true, "", "binds", "cache:/cache:ro,nocopy")),
                new Case("destination cleaned", "/srv:/data/",
                        new ContainerMount("bind", "/srv", "/data", false, "", "rprivate", false, "", "binds", "/srv:/data/")),
                new Case("destination alone is an anonymous volume", "/data",
                        new ContainerMount("volume", "", "/data", false, "", "", false, "", "volumes", "/data")));
    }

    static Stream<Refusal> refused() {
        return Stream.of(
                new Refusal("relative destination", "/srv:data", "invalid mount config for type \"bind\": invalid mount path: 'data' mount path must be absolute"),
                new Refusal("root as destination", "/srv:/", "invalid specification: destination can't be '/'"),
                new Refusal("unknown mode", "/srv:/data:rx", "invalid mode: rx"),
                new Refusal("two access modes", "/srv:/data:ro,rw", "invalid mode: ro,rw"),
                new Refusal("propagation on a volume", "vol:/data:rshared", "invalid mode: rshared"),
                new Refusal("nocopy on a bind", "/srv:/data:nocopy", "invalid mode: nocopy"),
                new Refusal("empty section", "/srv::/data", "empty section between colons"),
                new Refusal("too many colons", "/a:/b:ro:extra", "too many colons"),
                new Refusal("bad volume name", "my$vol:/data", "includes invalid characters for a local volume name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void readsWhatDockerReads(Case c) {
        assertThat(BindSpec.parse(c.text())).isEqualTo(c.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesWithDockersWords(Refusal r) {
        assertThatThrownBy(() -> BindSpec.parse(r.text())).isInstanceOfSatisfying(EngineException.class, e -> {
            assertThat(e.kind()).isEqualTo(EngineException.Kind.INVALID_PARAMETER);
            assertThat(e.getMessage()).contains(r.message());
        });
    }
}
