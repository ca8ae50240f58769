package dev.tallyman.spi.network;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 subnet in CIDR form, normalised to its network address ({@code 172.18.0.0/16}). Addresses inside it
 * are numbered from the network address: {@code address(1)} is the first host, Docker's usual gateway.
 */
public record Ipv4Subnet(int network, int prefixLength) {

    public Ipv4Subnet {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0..32");
        }
        network &= mask(prefixLength);
    }

    /** Parses {@code a.b.c.d/n}; host bits are cleared, as {@code ip route} does. Names the bad text when it throws. */
    public static Ipv4Subnet parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid CIDR address: " + text);
        }
        try {
            int prefix = Integer.parseInt(text.substring(slash + 1));
            return new Ipv4Subnet(toInt(parseAddress(text.substring(0, slash))), prefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid CIDR address: " + text, e);
        }
    }

    /** Parses a dotted-quad IPv4 address without any name lookup. */
    public static Inet4Address parseAddress(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("invalid IPv4 address: " + text);
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("invalid IPv4 address: " + text);
            }
            int value = Integer.parseInt(parts[i]);
            if (value > 255) {
                throw new IllegalArgumentException("invalid IPv4 address: " + text);
            }
            bytes[i] = (byte) value;
        }
        return fromBytes(bytes);
    }

    public static int toInt(Inet4Address address) {
        byte[] b = address.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    public static Inet4Address fromInt(int value) {
        return fromBytes(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    private static Inet4Address fromBytes(byte[] bytes) {
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always a valid address
        }
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** How many addresses the subnet spans, network and broadcast included. */
    public long size() {
        return 1L << (32 - prefixLength);
    }

    /** The address {@code offset} places after the network address. */
    public Inet4Address address(long offset) {
        if (offset < 0 || offset >= size()) {
            throw new IllegalArgumentException("offset " + offset + " is outside " + this);
        }
        return fromInt((int) (network + offset));
    }

    public boolean contains(Inet4Address address) {
        return (toInt(address) & mask(prefixLength)) == network;
    }

    /** True when the two subnets share at least one address. */
    public boolean overlaps(Ipv4Subnet other) {
        int shorter = Math.min(prefixLength, other.prefixLength);
        return (network & mask(shorter)) == (other.network & mask(shorter));
    }

    /** {@code address/prefix} of one address in this subnet, as {@code ip addr} writes it. */
    public String cidrOf(Inet4Address address) {
        return address.getHostAddress() + "/" + prefixLength;
    }

    @Override
    public String toString() {
        return fromInt(network).getHostAddress() + "/" + prefixLength;
    }
}
