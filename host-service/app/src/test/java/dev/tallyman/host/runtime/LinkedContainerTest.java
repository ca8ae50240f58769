package dev.tallyman.host.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What Docker writes for a --link: the cases follow moby's daemon/links/links_test.go and the Docker peer's output. */
class LinkedContainerTest {

    record EnvCase(String description, LinkedContainer link, List<String> expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<EnvCase> environments() {
        return Stream.of(
                new EnvCase("no ports: the name and the linked container's variables, HOME and PATH left out",
                        link("/web/db", List.of("FOO=bar", "HOME=/x", "PATH=/bin", "EMPTY=", "BARE"), List.of()),
                        List.of("DB_NAME=/web/db", "DB_ENV_FOO=bar", "DB_ENV_EMPTY=")),
                new EnvCase("one port",
                        link("/web/db", List.of(), List.of("6379/tcp")),
                        List.of("DB_PORT=tcp://172.17.0.2:6379",
                                "DB_PORT_6379_TCP=tcp://172.17.0.2:6379", "DB_PORT_6379_TCP_ADDR=172.17.0.2",
                                "DB_PORT_6379_TCP_PORT=6379", "DB_PORT_6379_TCP_PROTO=tcp",
                                "DB_NAME=/web/db")),
                new EnvCase("TCP before UDP even at a higher number; a run of two ports gets START and END",
                        link("/web/db", List.of(), List.of("80/udp", "6001/tcp", "5432/tcp", "6000/tcp")),
                        List.of("DB_PORT=tcp://172.17.0.2:5432",
                                "DB_PORT_5432_TCP=tcp://172.17.0.2:5432", "DB_PORT_5432_TCP_ADDR=172.17.0.2",
                                "DB_PORT_5432_TCP_PORT=5432", "DB_PORT_5432_TCP_PROTO=tcp",
                                "DB_PORT_6000_TCP=tcp://172.17.0.2:6000", "DB_PORT_6000_TCP_ADDR=172.17.0.2",
                                "DB_PORT_6000_TCP_PORT=6000", "DB_PORT_6000_TCP_PROTO=tcp",
                                "DB_PORT_6001_TCP=tcp://172.17.0.2:6001", "DB_PORT_6001_TCP_ADDR=172.17.0.2",
                                "DB_PORT_6001_TCP_PORT=6001", "DB_PORT_6001_TCP_PROTO=tcp",
                                "DB_PORT_80_UDP=udp://172.17.0.2:80", "DB_PORT_80_UDP_ADDR=172.17.0.2",
                                "DB_PORT_80_UDP_PORT=80", "DB_PORT_80_UDP_PROTO=udp",
                                "DB_PORT_6000_TCP_START=tcp://172.17.0.2:6000", "DB_PORT_6000_TCP_PORT_START=6000",
                                "DB_PORT_6000_TCP_END=tcp://172.17.0.2:6001", "DB_PORT_6000_TCP_PORT_END=6001",
                                "DB_NAME=/web/db")),
                new EnvCase("a range that ends the list",
                        link("/web/db", List.of(), List.of("7000/tcp", "7001/tcp", "7002/tcp")),
                        List.of("DB_PORT=tcp://172.17.0.2:7000",
                                "DB_PORT_7000_TCP=tcp://172.17.0.2:7000", "DB_PORT_7000_TCP_ADDR=172.17.0.2",
                                "DB_PORT_7000_TCP_PORT=7000", "DB_PORT_7000_TCP_PROTO=tcp",
                                "DB_PORT_7001_TCP=tcp://172.17.0.2:7001", "DB_PORT_7001_TCP_ADDR=172.17.0.2",
                                "DB_PORT_7001_TCP_PORT=7001", "DB_PORT_7001_TCP_PROTO=tcp",
                                "DB_PORT_7002_TCP=tcp://172.17.0.2:7002", "DB_PORT_7002_TCP_ADDR=172.17.0.2",
                                "DB_PORT_7002_TCP_PORT=7002", "DB_PORT_7002_TCP_PROTO=tcp",
                                "DB_PORT_7000_TCP_START=tcp://172.17.0.2:7000", "DB_PORT_7000_TCP_PORT_START=7000",
                                "DB_PORT_7000_TCP_END=tcp://172.17.0.2:7002", "DB_PORT_7000_TCP_PORT_END=7002",
                                "DB_NAME=/web/db")),
                new EnvCase("the alias upper-cased, '-' made '_', other characters kept",
                        link("/web/my-db.x", List.of("A=1"), List.of()),
                        List.of("MY_DB.X_NAME=/web/my-db.x", "MY_DB.X_ENV_A=1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("environments")
    void environmentIsDockers(EnvCase c) {
        assertThat(c.link().environment()).containsExactlyElementsOf(c.expected());
    }

    @Test
    void hostsLineNamesAliasHostnameAndNameUnlessTheAliasIsTheName() {
        assertThat(new LinkedContainer("/web/alias", "10.0.0.2", "f45fdc2e1e25", "db", List.of(), List.of()).hostsLine())
                .isEqualTo("10.0.0.2\talias f45fdc2e1e25 db");
        assertThat(new LinkedContainer("/web/db", "10.0.0.2", "f45fdc2e1e25", "db", List.of(), List.of()).hostsLine())
                .isEqualTo("10.0.0.2\tdb f45fdc2e1e25");
    }

    private static final String HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            + "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
            + "10.0.0.3\tca3a25edad9b\n";

    @Test
    void linkLinesGoBetweenDockersEntriesAndTheContainersOwnAddress() {
        List<LinkedContainer> links = List.of(
                new LinkedContainer("/web/alias", "10.0.0.2", "f45fdc2e1e25", "db", List.of(), List.of()),
                new LinkedContainer("/web/other", "10.0.0.2", "f45fdc2e1e25", "db", List.of(), List.of()));
        String written = LinkedContainer.intoHosts(HOSTS, links);
        assertThat(written).endsWith("ff02::2\tip6-allrouters\n10.0.0.2\talias f45fdc2e1e25 db\n"
                + "10.0.0.2\tother f45fdc2e1e25 db\n10.0.0.3\tca3a25edad9b\n");
        assertThat(LinkedContainer.withoutAlias(written, "alias")).endsWith("ff02::2\tip6-allrouters\n"
                + "10.0.0.2\tother f45fdc2e1e25 db\n10.0.0.3\tca3a25edad9b\n");
        assertThat(LinkedContainer.withoutAlias(LinkedContainer.withoutAlias(written, "alias"), "other")).isEqualTo(HOSTS);
    }

    @Test
    void aLinkedContainersNewAddressReplacesOnlyItsLines() {
        String written = LinkedContainer.intoHosts(HOSTS, List.of(
                new LinkedContainer("/web/alias", "10.0.0.2", "f45fdc2e1e25", "db", List.of(), List.of()),
                new LinkedContainer("/web/cache", "10.0.0.4", "0123456789ab", "cache", List.of(), List.of())));
        assertThat(LinkedContainer.withAddress(written, "alias", "10.0.0.9")).isEqualTo(HOSTS.replace(
                "ff02::2\tip6-allrouters\n", "ff02::2\tip6-allrouters\n10.0.0.9\talias f45fdc2e1e25 db\n"
                        + "10.0.0.4\tcache 0123456789ab\n"));
    }

    @Test
    void linkVariablesComeBeforeTheContainersOwnSoItsOwnWin() {
        LinkedContainer db = link("/web/db", List.of(), List.of());
        assertThat(LinkedContainer.environment(List.of(db), List.of("DB_NAME=mine")))
                .containsExactly("DB_NAME=/web/db", "DB_NAME=mine");
    }

    private static LinkedContainer link(String linkName, List<String> env, List<String> ports) {
        return new LinkedContainer(linkName, "172.17.0.2", "0123456789ab", "db", env, ports);
    }
}
