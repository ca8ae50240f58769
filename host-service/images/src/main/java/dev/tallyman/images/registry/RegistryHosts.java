package dev.tallyman.images.registry;

import dev.tallyman.images.reference.ImageReference;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where registry names lead, as Docker's {@code daemon.json} says it: {@code insecure-registries} (plain HTTP)
 * and {@code registry-mirrors} (stand-ins for docker.io, tried in order).
 *
 * <p>Loopback (127.0.0.0/8, ::1, {@code localhost}) is always insecure, as in Docker. This host has no way to
 * the internet, so a docker.io name with no mirror fails at once instead of waiting on a connection that
 * cannot succeed.
 *
 * @param insecureRegistries {@code host[:port]} or IPv4/IPv6 CIDR entries, e.g. {@code registry.lan:5000}, {@code 10.0.0.0/8}
 * @param registryMirrors    base URLs of docker.io mirrors, e.g. {@code http://127.0.0.1:5000}
 */
public record RegistryHosts(List<String> insecureRegistries, List<URI> registryMirrors) {

    public RegistryHosts {
        insecureRegistries = List.copyOf(insecureRegistries);
        registryMirrors = List.copyOf(registryMirrors);
        for (String entry : insecureRegistries) {
            if (entry.contains("/")) {
                Cidr.parse(entry);
            }
        }
        registryMirrors.forEach(m -> new RegistryEndpoint(m, true));
    }

    /** No mirrors, only loopback insecure. */
    public static RegistryHosts defaults() {
        return new RegistryHosts(List.of(), List.of());
    }

    /**
     * The endpoints to try for a reference's registry, in order. docker.io names go to the mirrors only; with no
     * mirror they fail with INVALID_PARAMETER naming the setting to add.
     */
    public List<RegistryEndpoint> endpoints(String domain) {
        if (ImageReference.DEFAULT_DOMAIN.equals(domain)) {
            if (registryMirrors.isEmpty()) {
                throw new RegistryException(RegistryException.Reason.UNREACHABLE,
                        "docker.io is not reachable from this host and no registry mirror is configured: "
                                + "set registry-mirrors to a registry that serves docker.io images");
            }
            List<RegistryEndpoint> mirrors = new ArrayList<>();
            registryMirrors.forEach(m -> mirrors.add(new RegistryEndpoint(m, true)));
            return List.copyOf(mirrors);
        }
        String scheme = isInsecure(domain) ? "http" : "https";
        return List.of(new RegistryEndpoint(URI.create(scheme + "://" + domain), false));
    }

    /** The one endpoint pushes and logins go to: the registry itself, never a mirror. docker.io fails as above. */
    public RegistryEndpoint registry(String domain) {
        if (ImageReference.DEFAULT_DOMAIN.equals(domain)) {
            throw new RegistryException(RegistryException.Reason.UNREACHABLE,
                    "docker.io is not reachable from this host: registry mirrors serve pulls only");
        }
        return endpoints(domain).get(0);
    }

    /** Whether {@code host[:port]} is spoken to over plain HTTP. */
    public boolean isInsecure(String hostAndPort) {
        String lower = hostAndPort.toLowerCase(Locale.ROOT);
        if (insecureRegistries.stream().anyMatch(e -> e.toLowerCase(Locale.ROOT).equals(lower))) {
            return true;
        }
        String host = hostOf(lower);
        if (host.equals("localhost")) {
            return true;
        }
        List<InetAddress> addresses = resolve(host);
        for (InetAddress address : addresses) {
            if (address.isLoopbackAddress()) {
                return true;
            }
            for (String entry : insecureRegistries) {
                if (entry.contains("/") && Cidr.parse(entry).contains(address)) {
                    return true;
                }
            }
        }
        return false;
    }

    static String hostOf(String hostAndPort) {
        if (hostAndPort.startsWith("[")) {
            int close = hostAndPort.indexOf(']');
            return hostAndPort.substring(1, close);
        }
        int colon = hostAndPort.lastIndexOf(':');
        return colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
    }

    // Docker resolves the name too, so that a host name pointing into an insecure range is insecure.
    private static List<InetAddress> resolve(String host) {
        try {
            return List.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            return List.of();
        }
    }

    /** An address range {@code a.b.c.d/n} or {@code x::/n}. */
    record Cidr(byte[] network, int prefix) {
        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            try {
                byte[] network = InetAddress.getByName(text.substring(0, slash)).getAddress();
                int prefix = Integer.parseInt(text.substring(slash + 1));
                if (prefix < 0 || prefix > network.length * 8) {
                    throw new IllegalArgumentException("insecure registry " + text + ": prefix out of range");
                }
                return new Cidr(network, prefix);
            } catch (UnknownHostException | NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("insecure registry " + text + ": not a CIDR range");
            }
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
