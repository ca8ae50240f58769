package dev.tallyman.runtime.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The DNS server containers on user-defined networks use, Tallyman's counterpart of Docker's 127.0.0.11: it
 * listens on UDP and TCP on given addresses (each user network's gateway; containers get
 * {@code nameserver <gateway>}, as aardvark-dns does for Podman), answers A questions for the names
 * {@link Lookup} knows for the client on the network of the address asked, answers AAAA for such a name with an empty
 * NOERROR (so resolvers fall back to the A answer instead of asking elsewhere), and forwards every other
 * question unchanged to the upstream resolvers, in order, answering SERVFAIL when none answers in time.
 * Addresses come and go with networks: {@link #start} and {@link #stop} at any time.
 */
public final class EmbeddedDnsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedDnsServer.class.getName());
    /** Docker's embedded server answers with this TTL. */
    static final int TTL_SECONDS = 600;
    private static final int MAX_UDP = 4096;
    public static final int DNS_PORT = 53;

    /** The addresses of {@code name} as seen by {@code client}, which asked the server at {@code listenAddress}. */
    @FunctionalInterface
    public interface Lookup {
        /**
         * @param listenAddress the address the question came to (which network asks)
         * @param client the address the question came from: a container on several networks asks through one
         *               of them but may name a container on any of them
         * @param name lower case, without a trailing dot
         * @return the addresses; empty when the name is not one of that network's containers or aliases
         */
        List<Inet4Address> lookup(Inet4Address listenAddress, InetAddress client, String name);
    }

    private final Lookup lookup;
    private final List<InetSocketAddress> upstreams;
    private final Duration timeout;
    private final int port;
    private final ExecutorService workers;
    private final Map<Inet4Address, Listener> listeners = new HashMap<>();

    /**
     * @param upstreams resolvers for names the lookup does not know, asked in order
     * @param timeout how long to wait for each upstream
     * @param port the port to listen on ({@value #DNS_PORT}; tests use another)
     */
    public EmbeddedDnsServer(Lookup lookup, List<InetSocketAddress> upstreams, Duration timeout, int port) {
        this.lookup = lookup;
        this.upstreams = List.copyOf(upstreams);
        this.timeout = timeout;
        this.port = port;
        // Forwarding waits on upstreams (seconds when one is unreachable): up to 16 at once, so one slow name
        // does not hold back the others. A full queue drops the query; the client asks again.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(16, 16, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1024),
                r -> daemon(r, "dns-query"), new ThreadPoolExecutor.DiscardPolicy());
        pool.allowCoreThreadTimeOut(true);
        this.workers = pool;
    }

    /** A server on port 53 forwarding to the host's resolvers from /etc/resolv.conf, 2 s each. */
    public static EmbeddedDnsServer withHostResolvers(Lookup lookup) throws IOException {
        return new EmbeddedDnsServer(lookup, hostResolvers(Path.of("/etc/resolv.conf")), Duration.ofSeconds(2), DNS_PORT);
    }

    /**
     * The {@code nameserver} lines of a resolv.conf, port 53. Loopback resolvers are left out: a container
     * cannot reach the host's 127.0.0.53, and from the host they would answer for the host, not the network.
     */
    public static List<InetSocketAddress> hostResolvers(Path resolvConf) throws IOException {
        List<InetSocketAddress> found = new ArrayList<>();
        if (!Files.exists(resolvConf)) {
            return found;
        }
        for (String line : Files.readAllLines(resolvConf)) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver")) {
                String text = words[1];
                int zone = text.indexOf('%');
                if (zone >= 0) {
                    text = text.substring(0, zone);
                }
                if (!text.matches("[0-9a-fA-F:.]+")) {
                    continue; // only literal addresses: no name lookups while reading the resolver list
                }
                InetAddress address = InetAddress.getByName(text);
                if (!address.isLoopbackAddress()) {
                    found.add(new InetSocketAddress(address, DNS_PORT));
                }
            }
        }
        return found;
    }

    /** Listens on {@code address} (UDP and TCP). Already listening there: nothing happens. */
    public synchronized void start(Inet4Address address) throws IOException {
        if (listeners.containsKey(address)) {
            return;
        }
        listeners.put(address, new Listener(address));
    }

    /** Stops listening on {@code address}. Not listening there: nothing happens. */
    public synchronized void stop(Inet4Address address) {
        Listener listener = listeners.remove(address);
        if (listener != null) {
            listener.close();
        }
    }

    public synchronized Set<Inet4Address> addresses() {
        return Set.copyOf(listeners.keySet());
    }

    @Override
    public synchronized void close() {
        for (Listener listener : listeners.values()) {
            listener.close();
        }
        listeners.clear();
        workers.shutdownNow();
    }

    /** The answer to one query from {@code client} to {@code listenAddress}; {@code tcp} says how to forward it. */
    byte[] answer(Inet4Address listenAddress, InetAddress client, byte[] packet, int length, boolean tcp) {
        byte[] local = answerLocally(listenAddress, client, packet, length);
        return local != null ? local : forward(packet, length, tcp);
    }

    /**
     * The answer that needs no upstream: a malformed query's error, a known name's addresses; null when the
     * question has to be forwarded. Quick (a projection read), so it is given on the receiving thread.
     */
    byte[] answerLocally(Inet4Address listenAddress, InetAddress client, byte[] packet, int length) {
        DnsMessage query;
        try {
            query = DnsMessage.parse(packet, length);
        } catch (IllegalArgumentException e) {
            return DnsMessage.formatError(packet, length);
        }
        if (query.opcode() != 0) {
            return query.failure(DnsMessage.NOTIMP);
        }
        if (query.questionClass() == DnsMessage.CLASS_IN
                && (query.type() == DnsMessage.TYPE_A || query.type() == DnsMessage.TYPE_AAAA)) {
            List<Inet4Address> known;
            try {
                known = lookup.lookup(listenAddress, client, query.lookupName());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "dns: look up " + query.lookupName() + " for " + listenAddress.getHostAddress(), e);
                return query.failure(DnsMessage.SERVFAIL);
            }
            if (!known.isEmpty()) {
                return query.answer(query.type() == DnsMessage.TYPE_A ? known : List.of(), TTL_SECONDS);
            }
        }
        return null;
    }

    /** The upstreams' answer to a parsed, well-formed query, or SERVFAIL when none answers. */
    private byte[] forward(byte[] packet, int length, boolean tcp) {
        DnsMessage query = DnsMessage.parse(packet, length);
        byte[] forwarded = forward(packet, length, query.id(), tcp);
        return forwarded != null ? forwarded : query.failure(DnsMessage.SERVFAIL);
    }

    /** Asks each upstream in turn; the first answer with the query's id wins. Null when none answers. */
    private byte[] forward(byte[] packet, int length, int id, boolean tcp) {
        for (InetSocketAddress upstream : upstreams) {
            try {
                byte[] response = tcp ? forwardTcp(upstream, packet, length) : forwardUdp(upstream, packet, length, id);
                if (response != null) {
                    return response;
                }
            } catch (IOException e) {
                LOG.fine(() -> "dns: forward to " + upstream + ": " + e.getMessage());
            }
        }
        return null;
    }

    private byte[] forwardUdp(InetSocketAddress upstream, byte[] packet, int length, int id) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.send(new DatagramPacket(packet, length, upstream));
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] buffer = new byte[MAX_UDP];
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return null;
                }
                socket.setSoTimeout((int) left);
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(reply);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                if (reply.getLength() >= DnsMessage.HEADER && reply.getSocketAddress().equals(upstream)
                        && ((buffer[0] & 0xff) << 8 | (buffer[1] & 0xff)) == id) {
                    byte[] out = new byte[reply.getLength()];
                    System.arraycopy(buffer, 0, out, 0, out.length);
                    return out;
                }
            }
        }
    }

    private byte[] forwardTcp(InetSocketAddress upstream, byte[] packet, int length) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(upstream, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(length);
            out.write(packet, 0, length);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] response = new byte[in.readUnsignedShort()];
            in.readFully(response);
            return response;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread thread = new Thread(r, name);
        thread.setDaemon(true);
        return thread;
    }

    /** The UDP socket and TCP server socket on one address, each with a thread receiving on it. */
    private final class Listener {
        private final Inet4Address address;
        private final DatagramSocket udp;
        private final ServerSocket tcp;

        Listener(Inet4Address address) throws IOException {
            this.address = address;
            this.udp = new DatagramSocket(null);
            this.tcp = new ServerSocket();
            try {
                udp.bind(new InetSocketAddress(address, port));
                tcp.setReuseAddress(true);
                tcp.bind(new InetSocketAddress(address, port), 64);
            } catch (IOException e) {
                udp.close();
                tcp.close();
                throw new IOException("dns: listen on " + address.getHostAddress() + ":" + port + ": " + e.getMessage(), e);
            }
            daemon(this::receiveUdp, "dns-udp-" + address.getHostAddress()).start();
            daemon(this::acceptTcp, "dns-tcp-" + address.getHostAddress()).start();
        }

        private void receiveUdp() {
            byte[] buffer = new byte[MAX_UDP];
            while (!udp.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    udp.receive(packet);
                } catch (IOException e) {
                    return; // closed by stop
                }
                byte[] copy = new byte[packet.getLength()];
                System.arraycopy(buffer, 0, copy, 0, copy.length);
                var client = packet.getSocketAddress();
                InetAddress from = packet.getAddress();
                byte[] local = answerLocally(address, from, copy, copy.length);
                if (local != null) {
                    send(local, client);
                } else {
                    workers.execute(() -> send(forward(copy, copy.length, false), client));
                }
            }
        }

        private void send(byte[] reply, java.net.SocketAddress client) {
            try {
                udp.send(new DatagramPacket(reply, reply.length, client));
            } catch (IOException e) {
                LOG.fine(() -> "dns: answer " + client + ": " + e.getMessage());
            }
        }

        private void acceptTcp() {
            while (!tcp.isClosed()) {
                Socket client;
                try {
                    client = tcp.accept();
                } catch (IOException e) {
                    return; // closed by stop
                }
                workers.execute(() -> serveTcp(client));
            }
        }

        /** Length-prefixed queries, one after another, until the client closes or idles out. */
        private void serveTcp(Socket client) {
            try (client) {
                client.setSoTimeout(10_000);
                InputStream rawIn = client.getInputStream();
                OutputStream rawOut = client.getOutputStream();
                DataInputStream in = new DataInputStream(rawIn);
                DataOutputStream out = new DataOutputStream(rawOut);
                while (true) {
                    int length;
                    try {
                        length = in.readUnsignedShort();
                    } catch (IOException e) {
                        return;
                    }
                    byte[] query = new byte[length];
                    in.readFully(query);
                    byte[] reply = answer(address, client.getInetAddress(), query, length, true);
                    out.writeShort(reply.length);
                    out.write(reply);
                    out.flush();
                }
            } catch (SocketException e) {
                // client went away
            } catch (IOException e) {
                LOG.fine(() -> "dns: tcp client: " + e.getMessage());
            }
        }

        void close() {
            udp.close();
            try {
                tcp.close();
            } catch (IOException e) {
                // closing a server socket that failed to close leaves nothing to do
            }
        }
    }
}
