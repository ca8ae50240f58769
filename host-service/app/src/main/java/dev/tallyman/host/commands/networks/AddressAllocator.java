package dev.tallyman.host.commands.networks;

import dev.tallyman.spi.network.Ipv4Subnet;
import java.net.Inet4Address;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses container addresses inside a network, as Docker's default IPAM does: never the network address, the
 * broadcast address or the gateway, never one already taken; from the {@code --ip-range} when there is one.
 * The caller holds the lock under which the choice is recorded, so two containers never get the same address.
 */
public final class AddressAllocator {
    private AddressAllocator() {
    }

    /** The lowest free address of the range (or subnet); empty when none is left. */
    public static Optional<Inet4Address> next(Ipv4Subnet subnet, Optional<Ipv4Subnet> range, Inet4Address gateway,
                                              Set<Integer> taken) {
        Ipv4Subnet from = range.orElse(subnet);
        long first = from.equals(subnet) || from.network() == subnet.network() ? 1 : 0;
        for (long i = first; i < from.size(); i++) {
            Inet4Address candidate = from.address(i);
            if (usable(subnet, gateway, candidate) && !taken.contains(Ipv4Subnet.toInt(candidate))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Inside the subnet, and neither its network address, its broadcast address nor the gateway. */
    public static boolean usable(Ipv4Subnet subnet, Inet4Address gateway, Inet4Address address) {
        if (!subnet.contains(address) || address.equals(gateway)) {
            return false;
        }
        int value = Ipv4Subnet.toInt(address);
        int broadcast = (int) (subnet.network() + subnet.size() - 1);
        return subnet.prefixLength() >= 31 || (value != subnet.network() && value != broadcast);
    }

    /** Docker's MAC for an address: 02:42 followed by the address's four bytes. */
    public static String macOf(Inet4Address address) {
        byte[] b = address.getAddress();
        return String.format("02:42:%02x:%02x:%02x:%02x", b[0] & 0xff, b[1] & 0xff, b[2] & 0xff, b[3] & 0xff);
    }
}
