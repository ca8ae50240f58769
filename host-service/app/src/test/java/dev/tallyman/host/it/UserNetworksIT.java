package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 7 through the real CLI: user networks (create, ls with filters, inspect, rm, prune), names and aliases
 * resolved by the embedded DNS between containers of one network and not across networks, isolation, --ip,
 * --internal, connect and disconnect of a running container, and Docker's network events with the actor.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UserNetworksIT extends ContainerItSupport {

    @Override
    protected String instanceName() {
        return "net-user";
    }

    @Test
    @Order(1)
    void networksAreCreatedListedInspectedAndRemovedAsDockerDoes() {
        long since = Instant.now().getEpochSecond() - 1;
        String id = ok("network", "create", "--subnet", "10.191.0.0/16", "--gateway", "10.191.0.254",
                "--ip-range", "10.191.7.0/24", "--label", "team=blue", "-o", "com.docker.network.bridge.name=tmt-blue",
                "blue").trim();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(ok("network", "inspect", "--format",
                "{{.Name}} {{.Driver}} {{.Scope}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}} {{.IPRange}}{{end}} {{.Labels.team}} {{.Internal}}",
                "blue").trim()).isEqualTo("blue bridge local 10.191.0.0/16 10.191.0.254 10.191.7.0/24 blue false");
        assertThat(Shell.run("ip", "-4", "-o", "addr", "show", "tmt-blue").stdout()).contains("10.191.0.254/16");

        CommandResult clash = exits(1, "network", "create", "blue");
        assertThat(clash.stderr()).contains("network with name blue already exists");
        assertThat(lastRefusal()).contains("409 network with name blue already exists");

        ok("network", "create", "--label", "team=red", "red");
        assertThat(ok("network", "ls", "--format", "{{.Name}} {{.Driver}}").lines().sorted().toList())
                .containsExactly("blue bridge", "bridge bridge", "host host", "none null", "red bridge");
        assertThat(ok("network", "ls", "-q", "--filter", "label=team=blue").trim()).isEqualTo(id.substring(0, 12));
        assertThat(ok("network", "ls", "--format", "{{.Name}}", "--filter", "type=custom").lines().sorted().toList())
                .containsExactly("blue", "red");
        assertThat(ok("network", "ls", "--format", "{{.Name}}", "--filter", "driver=null").trim()).isEqualTo("none");
        assertThat(ok("network", "ls", "--format", "{{.Name}}", "--filter", "name=re").trim()).isEqualTo("red");
        assertThat(ok("network", "ls", "--format", "{{.Name}}", "--filter", "dangling=true").lines().sorted().toList())
                .containsExactly("blue", "red");

        assertThat(exits(1, "network", "create", "-d", "host", "myhost").stderr())
                .contains("only one instance of \"host\" network is allowed");
        assertThat(exits(1, "network", "rm", "bridge").stderr()).contains("bridge is a pre-defined network and cannot be removed");
        assertThat(exits(1, "network", "rm", "nosuch").stderr()).contains("network nosuch not found");

        // prune with a label filter removes only what it selects
        String pruned = ok("network", "prune", "-f", "--filter", "label=team=red");
        assertThat(pruned).contains("red").doesNotContain("blue");
        ok("network", "rm", "blue");
        assertThat(Shell.run("ip", "link", "show", "tmt-blue").exitCode()).isNotZero();
        assertThat(ok("network", "ls", "--format", "{{.Name}}").lines().sorted().toList()).containsExactly("bridge", "host", "none");

        List<String> events = dockerEvents(since, "type=network", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.type}} {{index .Actor.Attributes \"tallyman.actor\"}}");
        assertThat(events).containsSubsequence("create blue bridge socket", "create red bridge socket",
                "destroy red bridge socket", "destroy blue bridge socket");
    }

    @Test
    @Order(2)
    void containersOnOneNetworkFindEachOtherByNameAndAliasAndNothingElse() {
        ok("network", "create", "--subnet", "10.192.0.0/24", "front");
        ok("network", "create", "--subnet", "10.193.0.0/24", "back");
        long since = Instant.now().getEpochSecond() - 1;
        String db = ok("run", "-d", "--name", "db", "--network", "back", "--network-alias", "database", "--ip", "10.193.0.50",
                "busybox", "sleep", "600").trim();
        ok("run", "-d", "--name", "api", "--network", "front", "busybox", "sleep", "600");
        ok("run", "-d", "--name", "peer", "--network", "back", "busybox", "sleep", "600");
        assertThat(inspect("{{.NetworkSettings.Networks.back.IPAddress}} {{.NetworkSettings.Networks.back.Gateway}}", "db"))
                .isEqualTo("10.193.0.50 10.193.0.1");
        assertThat(ok("exec", "peer", "cat", "/etc/resolv.conf")).contains("nameserver 10.193.0.1");
        assertThat(ok("ps", "--format", "{{.Names}}", "--filter", "network=back").lines().sorted().toList())
                .containsExactly("db", "peer");
        assertThat(inspect("{{json .NetworkSettings.Networks.back.DNSNames}}", "db"))
                .isEqualTo("[\"db\",\"database\",\"" + db.substring(0, 12) + "\"]");

        assertThat(ok("exec", "peer", "nslookup", "db")).contains("10.193.0.50");
        assertThat(ok("exec", "peer", "nslookup", "database")).contains("10.193.0.50");
        assertThat(ok("exec", "peer", "nslookup", db.substring(0, 12))).contains("10.193.0.50");
        ok("exec", "peer", "ping", "-c", "1", "-W", "2", "database");
        // api is on another network: its name does not resolve here, and db's address cannot be reached from there.
        assertThat(tallyman.docker("exec", "peer", "nslookup", "api").exitCode()).isNotZero();
        assertThat(tallyman.docker("exec", "api", "ping", "-c", "1", "-W", "1", "10.193.0.50").exitCode()).isNotZero();
        assertThat(tallyman.docker("exec", "api", "nslookup", "db").exitCode()).isNotZero();

        // An address taken by db is refused for another container.
        CommandResult taken = exits(125, "run", "--rm", "--network", "back", "--ip", "10.193.0.50", "busybox", "true");
        assertThat(taken.stderr()).contains("Address already in use");
        CommandResult outside = exits(125, "run", "--rm", "--network", "back", "--ip", "10.9.9.9", "busybox", "true");
        assertThat(outside.stderr()).contains("no configured subnet or ip-range contain the IP address 10.9.9.9");

        // connect: api joins back while it runs, gets eth1 and reaches db; back's containers find api by its alias.
        ok("network", "connect", "--alias", "gateway-api", "back", "api");
        assertThat(ok("exec", "api", "ip", "-o", "link", "show", "eth1")).contains("eth1");
        ok("exec", "api", "ping", "-c", "1", "-W", "2", "10.193.0.50");
        assertThat(ok("exec", "peer", "nslookup", "gateway-api")).contains("10.193.0.");
        // api asks the resolver of its first network, front, and finds names on both of its networks there.
        assertThat(ok("exec", "api", "cat", "/etc/resolv.conf")).contains("nameserver 10.192.0.1");
        assertThat(ok("exec", "api", "nslookup", "db")).contains("10.193.0.50");
        ok("exec", "api", "ping", "-c", "1", "-W", "2", "db");
        // peer, only on back, still does not see front's names through api.
        ok("run", "-d", "--name", "web", "--network", "front", "busybox", "sleep", "600");
        assertThat(ok("exec", "api", "nslookup", "web")).contains("10.192.0.");
        assertThat(tallyman.docker("exec", "peer", "nslookup", "web").exitCode()).isNotZero();
        assertThat(ok("network", "inspect", "--format", "{{range .Containers}}{{.Name}} {{end}}", "back").trim().split(" "))
                .containsExactlyInAnyOrder("db", "peer", "api");
        assertThat(exits(1, "network", "rm", "back").stderr()).contains("has active endpoints");
        ok("network", "disconnect", "back", "api");
        assertThat(tallyman.docker("exec", "api", "ip", "link", "show", "eth1").exitCode()).isNotZero();
        assertThat(tallyman.docker("exec", "peer", "nslookup", "gateway-api").exitCode()).isNotZero();
        assertThat(tallyman.docker("exec", "api", "nslookup", "db").exitCode()).isNotZero();

        List<String> events = dockerEvents(since, "type=network", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.container}} {{index .Actor.Attributes \"tallyman.actor\"}}");
        assertThat(events).contains("connect back " + db + " socket");
        assertThat(events.stream().filter(e -> e.startsWith("disconnect back")).count()).isEqualTo(1);
        ok("rm", "-f", "db", "api", "peer", "web");
        ok("network", "rm", "front", "back");
    }

    @Test
    @Order(3)
    void anInternalNetworkHasNoWayOut() {
        ok("network", "create", "--internal", "--subnet", "10.194.0.0/24", "sealed");
        String routes = ok("run", "--rm", "--network", "sealed", "busybox", "ip", "route");
        assertThat(routes).doesNotContain("default").contains("10.194.0.0/24");
        assertThat(tallyman.docker("run", "--rm", "--network", "sealed", "busybox", "ping", "-c", "1", "-W", "1",
                ok("network", "inspect", "--format", "{{range .IPAM.Config}}{{.Gateway}}{{end}}", "bridge").trim())
                .exitCode()).isNotZero();
        ok("network", "rm", "sealed");
    }

    @Test
    @Order(4)
    void aStoppedContainerIsConnectedForItsNextStart() {
        ok("network", "create", "--subnet", "10.195.0.0/24", "later");
        ok("create", "--name", "sleeper", "busybox", "sleep", "600");
        ok("network", "connect", "later", "sleeper");
        ok("start", "sleeper");
        assertThat(ok("exec", "sleeper", "ip", "-4", "-o", "addr")).contains("eth0").contains("eth1").contains("10.195.0.");
        assertThat(inspect("{{len .NetworkSettings.Networks}}", "sleeper")).isEqualTo("2");
        ok("rm", "-f", "sleeper");
        ok("network", "rm", "later");
        assertThat(tallyman.execRoot.resolve("netns").toFile().list()).isEmpty();
    }
}
