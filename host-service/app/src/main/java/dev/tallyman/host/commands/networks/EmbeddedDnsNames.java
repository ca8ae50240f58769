package dev.tallyman.host.commands.networks;

import dev.tallyman.audit.event.NetworkEvent.NetworkEndpoint;
import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.runtime.dns.EmbeddedDnsServer;
import dev.tallyman.spi.network.Ipv4Subnet;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Name resolution on user networks through the embedded DNS server: it listens on each user network's gateway
 * while the network exists, and answers from the projection at the moment of the question (the names, aliases
 * and short ids of the containers joined to the networks of the container asking), so joins and leaves are
 * seen at once. Names of containers on networks the asking container is not on do not resolve; everything else
 * goes to the host's resolvers.
 */
public final class EmbeddedDnsNames implements NameService, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedDnsNames.class);

    private final Projections projections;
    private EmbeddedDnsServer server;

    public EmbeddedDnsNames(Projections projections) {
        this.projections = projections;
    }

    private synchronized EmbeddedDnsServer server() throws IOException {
        if (server == null) {
            server = EmbeddedDnsServer.withHostResolvers(this::lookup);
        }
        return server;
    }

    /** Only user networks with addresses get a resolver; the default bridge uses the host's, as Docker's does. */
    private static boolean served(NetworkView network) {
        return network.hasAddresses() && !network.predefined();
    }

    @Override
    public void networkUp(NetworkView network) {
        if (!served(network)) {
            return;
        }
        try {
            server().start(Ipv4Subnet.parseAddress(network.gateway()));
        } catch (IOException e) {
            LOG.errorf("start embedded dns on %s for network %s: %s", network.gateway(), network.name(), e.getMessage());
        }
    }

    @Override
    public void networkDown(NetworkView network) {
        if (!served(network)) {
            return;
        }
        synchronized (this) {
            if (server != null) {
                server.stop(Ipv4Subnet.parseAddress(network.gateway()));
            }
        }
    }

    /**
     * The addresses of {@code name} for the container that asked: on every user network it has joined, as a
     * container on several networks reaches names on each (it asks through the first one's gateway only). A
     * question from an address that is no container's is answered from the network asked alone.
     */
    List<Inet4Address> lookup(Inet4Address listenAddress, InetAddress client, String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        String clientAddress = client == null ? "" : client.getHostAddress();
        return projections.read(p -> {
            List<NetworkView> served = p.networks().all().stream().filter(EmbeddedDnsNames::served).toList();
            String asking = "";
            for (NetworkView n : served) {
                if (!n.gateway().equals(listenAddress.getHostAddress())) {
                    continue;
                }
                for (Map.Entry<String, NetworkEndpoint> e : n.endpoints().entrySet()) {
                    if (n.joined().contains(e.getKey()) && e.getValue().ipv4Address().equals(clientAddress)) {
                        asking = e.getKey();
                    }
                }
            }
            String sought = linkTarget(p, asking, wanted);
            List<Inet4Address> found = new ArrayList<>();
            for (NetworkView n : served) {
                boolean searched = asking.isEmpty() ? n.gateway().equals(listenAddress.getHostAddress())
                        : n.joined().contains(asking);
                if (!searched) {
                    continue;
                }
                for (Map.Entry<String, NetworkEndpoint> e : n.endpoints().entrySet()) {
                    if (!n.joined().contains(e.getKey()) || e.getValue().ipv4Address().isEmpty()) {
                        continue;
                    }
                    String containerName = p.containers().byId(e.getKey()).map(c -> c.name()).orElse("");
                    boolean matches = containerName.toLowerCase(Locale.ROOT).equals(sought)
                            || e.getValue().aliases().stream().anyMatch(a -> a.toLowerCase(Locale.ROOT).equals(sought));
                    Inet4Address address = Ipv4Subnet.parseAddress(e.getValue().ipv4Address());
                    if (matches && !found.contains(address)) {
                        found.add(address);
                    }
                }
            }
            return found;
        });
    }

    /**
     * --link on a user network: for the container that made the link (and no other), its alias stands for the
     * linked container's name, resolved like any name at the moment of the question.
     */
    private static String linkTarget(Projections p, String asking, String wanted) {
        if (asking.isEmpty()) {
            return wanted;
        }
        return p.containers().byId(asking).stream()
                .flatMap(c -> c.spec().options().links().stream())
                .filter(l -> !l.legacy() && l.alias().toLowerCase(Locale.ROOT).equals(wanted))
                .map(l -> l.name().toLowerCase(Locale.ROOT))
                .findFirst().orElse(wanted);
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
        }
    }
}
