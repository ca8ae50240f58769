package dev.tallyman.host.commands.networks;

import dev.tallyman.audit.event.NetworkEvent.NetworkCreateFailed;
import dev.tallyman.audit.event.NetworkEvent.NetworkCreateRequested;
import dev.tallyman.audit.event.NetworkEvent.NetworkCreated;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.network.Ipv4Subnet;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * docker network create: checks the name and the addressing, chooses a subnet from the pools when none is
 * given, records the intent, has the driver make the network, records the outcome.
 */
public final class CreateNetworkHandler {
    private static final Pattern VALID_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    private final Journal journal;
    private final NetworkDrivers drivers;
    private final SubnetPools pools;
    private final Supplier<List<Ipv4Subnet>> hostRoutes;
    private final NameService names;

    public CreateNetworkHandler(Journal journal, NetworkDrivers drivers, SubnetPools pools,
                                Supplier<List<Ipv4Subnet>> hostRoutes, NameService names) {
        this.journal = journal;
        this.drivers = drivers;
        this.pools = pools;
        this.hostRoutes = hostRoutes;
        this.names = names;
    }

    /** @return the new network's id */
    public String handle(CreateNetwork command, CommandContext context) {
        return create(command, NetworkIds.newId(), context);
    }

    String create(CreateNetwork command, String id, CommandContext context) {
        String name = command.name();
        if (name == null || name.isEmpty()) {
            throw EngineException.invalid("network name cannot be empty");
        }
        if (!VALID_NAME.matcher(name).matches()) {
            throw EngineException.invalid("invalid network name \"" + name + "\": must match [a-zA-Z0-9][a-zA-Z0-9_.-]");
        }
        String driver = command.driver() == null || command.driver().isEmpty() ? "bridge" : command.driver();
        if (drivers.find(driver).isEmpty()) {
            throw EngineException.notFound("plugin \"" + driver + "\" not found");
        }
        // host and null networks are one each and have no addresses; every other driver (bridge, a plugin's
        // macvlan) may have many networks, each with a subnet from the host's IPAM (issue 14).
        boolean singleton = driver.equals("host") || driver.equals("null");
        if (singleton && journal.projections().read(p -> p.networks().all().stream()
                .anyMatch(n -> n.driver().equals(driver)))) {
            throw EngineException.forbidden("only one instance of \"" + driver + "\" network is allowed");
        }
        boolean addressed = !singleton;
        Optional<Ipv4Subnet> subnet = command.subnet().map(s -> parseCidr("subnet", s));
        Optional<Ipv4Subnet> range = command.ipRange().map(s -> parseCidr("ip-range", s));
        Optional<Inet4Address> gateway = command.gateway().map(CreateNetworkHandler::parseAddress);
        if (subnet.isEmpty() && (range.isPresent() || gateway.isPresent())) {
            throw EngineException.invalid("invalid config: gateway and ip-range need a subnet");
        }
        subnet.ifPresent(s -> {
            gateway.filter(g -> !s.contains(g)).ifPresent(g -> {
                throw EngineException.forbidden("no matching subnet for gateway " + g.getHostAddress());
            });
            range.filter(r -> !s.overlaps(r) || r.prefixLength() < s.prefixLength()).ifPresent(r -> {
                throw EngineException.forbidden("no matching subnet for range " + r);
            });
        });
        return journal.atomically(() -> {
            if (journal.projections().read(p -> p.networks().byName(name)).isPresent()) {
                throw EngineException.conflict("network with name " + name + " already exists");
            }
            String chosenSubnet = "";
            String chosenGateway = "";
            if (addressed) {
                List<Ipv4Subnet> ours = journal.projections().read(p -> p.networks().all().stream()
                        .filter(NetworkView::hasAddresses).map(v -> Ipv4Subnet.parse(v.subnet())).toList());
                Ipv4Subnet s;
                if (subnet.isPresent()) {
                    s = subnet.get();
                    if (ours.stream().anyMatch(s::overlaps)) {
                        throw EngineException.forbidden("invalid pool request: Pool overlaps with other one on this address space");
                    }
                } else {
                    List<Ipv4Subnet> inUse = new ArrayList<>(ours);
                    inUse.addAll(hostRoutes.get());
                    s = pools.firstFree(inUse).orElseThrow(() -> EngineException.invalid(
                            "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network"));
                }
                chosenSubnet = s.toString();
                chosenGateway = gateway.orElseGet(() -> s.address(1)).getHostAddress();
            }
            journal.append(StreamId.network(id), ExpectedVersion.noStream(), new NetworkCreateRequested(id, name, driver,
                    chosenSubnet, chosenGateway, range.map(Ipv4Subnet::toString).orElse(""), command.internal(),
                    command.labels(), command.options()), context);
            return id;
        });
    }

    /** Has the driver make the network recorded by {@link #create}, and records the outcome. */
    String finish(String id, CommandContext context) {
        NetworkView view = journal.projections().read(p -> p.networks().byId(id)).orElseThrow();
        try {
            drivers.require(view.driver()).createNetwork(NetworkDrivers.specOf(view));
        } catch (DriverException | IllegalStateException e) {
            journal.append(StreamId.network(id), ExpectedVersion.any(), new NetworkCreateFailed(id, e.getMessage()), context);
            String message = "create network " + view.name() + ": " + e.getMessage();
            // A driver that judged the user's options (-o parent=…) answers as Docker does for bad input: 400.
            if (e instanceof DriverException d && (d.kind() == DriverException.Kind.INVALID_ARGUMENT
                    || d.kind() == DriverException.Kind.NOT_FOUND)) {
                throw EngineException.invalid(message).onRecord();
            }
            throw EngineException.system(message, e).onRecord();
        }
        journal.append(StreamId.network(id), ExpectedVersion.any(), new NetworkCreated(id), context);
        names.networkUp(journal.projections().read(p -> p.networks().byId(id)).orElseThrow());
        return id;
    }

    /**
     * At boot: the network is on the record; has the driver make its kernel objects again (repeat-safe), and
     * records the outcome if the create itself was interrupted, in {@code closing}: the create request's story.
     */
    public void finishAgain(NetworkView view, CommandContext closing) {
        if (view.state() == NetworkView.NetworkState.CREATING) {
            finish(view.id(), closing);
            return;
        }
        drivers.find(view.driver()).ifPresent(d -> d.createNetwork(NetworkDrivers.specOf(view)));
        names.networkUp(view);
    }

    /** Create and finish in one call: what the API does. */
    public String createAndFinish(CreateNetwork command, CommandContext context) {
        return finish(handle(command, context), context);
    }

    private static Ipv4Subnet parseCidr(String what, String text) {
        try {
            return Ipv4Subnet.parse(text);
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid("invalid " + what + " " + text + ": invalid CIDR address: " + text);
        }
    }

    private static Inet4Address parseAddress(String text) {
        try {
            return Ipv4Subnet.parseAddress(text);
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid("invalid gateway address " + text);
        }
    }
}
