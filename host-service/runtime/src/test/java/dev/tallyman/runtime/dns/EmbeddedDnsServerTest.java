package dev.tallyman.runtime.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded DNS server on loopback addresses of this machine, with a real UDP upstream on 127.0.0.1 that
 * the test runs (it knows {@code example.test} and answers NXDOMAIN for anything else).
 */
class EmbeddedDnsServerTest {
    private static final Inet4Address RED = address("127.0.0.2");
    private static final Inet4Address BLUE = address("127.0.0.3");
    private static final Map<Inet4Address, Map<String, List<Inet4Address>>> NAMES = Map.of(
            RED, Map.of("web", List.of(address("10.1.0.5")), "api", List.of(address("10.1.0.6"), address("10.1.0.7"))),
            BLUE, Map.of("db", List.of(address("10.2.0.9"))));

    private FakeUpstream upstream;
    private EmbeddedDnsServer server;
    private int port;

    @BeforeEach
    void start() throws IOException {
        upstream = new FakeUpstream();
        // A port free for UDP may have its TCP twin taken by a connection of anything else on the machine: the
        // server needs both, so a clash is tried again on another port.
        for (int attempt = 1; ; attempt++) {
            port = freeUdpPort();
            server = new EmbeddedDnsServer(
                    (listen, client, name) -> NAMES.getOrDefault(listen, Map.of()).getOrDefault(name, List.of()),
                    List.of(upstream.address()), Duration.ofMillis(500), port);
            try {
                server.start(RED);
                server.start(BLUE);
                return;
            } catch (IOException e) {
                server.close();
                if (attempt == 20) {
                    throw e;
                }
            }
        }
    }

    @AfterEach
    void stop() {
        server.close();
        upstream.close();
    }

    @Test
    void knownNameGetsItsAddressesAuthoritatively() throws IOException {
        Reply reply = askUdp(RED, 4711, "api", DnsMessage.TYPE_A);

        assertThat(reply.id()).isEqualTo(4711);
        assertThat(reply.rcode()).isEqualTo(DnsMessage.NOERROR);
        assertThat(reply.authoritative()).isTrue();
        assertThat(reply.addresses()).containsExactly("10.1.0.6", "10.1.0.7");
        assertThat(upstream.queries.get()).isZero();
    }

    @Test
    void namesAreCaseInsensitiveWithOrWithoutTrailingDot() throws IOException {
        assertThat(askUdp(RED, 1, "WEB.", DnsMessage.TYPE_A).addresses()).containsExactly("10.1.0.5");
        assertThat(askUdp(RED, 2, "Web", DnsMessage.TYPE_A).addresses()).containsExactly("10.1.0.5");
    }

    @Test
    void aNameOfAnotherNetworkIsNotAnsweredFromHere() throws IOException {
        Reply fromRed = askUdp(RED, 3, "db", DnsMessage.TYPE_A);
        Reply fromBlue = askUdp(BLUE, 4, "db", DnsMessage.TYPE_A);

        assertThat(fromRed.rcode()).as("forwarded, and the upstream does not know it").isEqualTo(3);
        assertThat(fromRed.addresses()).isEmpty();
        assertThat(fromBlue.addresses()).containsExactly("10.2.0.9");
    }

    @Test
    void aaaaOfAKnownNameIsAnEmptyNoError() throws IOException {
        Reply reply = askUdp(RED, 5, "web", DnsMessage.TYPE_AAAA);

        assertThat(reply.rcode()).isEqualTo(DnsMessage.NOERROR);
        assertThat(reply.answerCount()).isZero();
        assertThat(upstream.queries.get()).isZero();
    }

    @Test
    void otherNamesAreForwardedToTheUpstream() throws IOException {
        Reply reply = askUdp(RED, 6, "example.test", DnsMessage.TYPE_A);

        assertThat(reply.id()).isEqualTo(6);
        assertThat(reply.addresses()).containsExactly("192.0.2.7");
        assertThat(upstream.queries.get()).isEqualTo(1);
    }

    @Test
    void tcpQueriesAreAnsweredToo() throws IOException {
        Reply reply = askTcp(BLUE, 7, "db");

        assertThat(reply.addresses()).containsExactly("10.2.0.9");
    }

    @Test
    void tcpQueriesForOtherNamesAreForwardedOverTcp() throws IOException {
        Reply reply = askTcp(RED, 11, "example.test");

        assertThat(reply.id()).isEqualTo(11);
        assertThat(reply.addresses()).containsExactly("192.0.2.7");
        assertThat(upstream.tcpQueries.get()).isEqualTo(1);
    }

    @Test
    void noUpstreamAnsweringMeansServfail() throws IOException {
        InetSocketAddress silent = upstream.address();
        server.close();
        upstream.close(); // nothing answers on its port any more
        for (int attempt = 1; ; attempt++) {
            port = freeUdpPort();
            server = new EmbeddedDnsServer((listen, client, name) -> List.of(), List.of(silent), Duration.ofMillis(300), port);
            try {
                server.start(RED);
                break;
            } catch (IOException e) {
                server.close();
                if (attempt == 20) {
                    throw e;
                }
            }
        }

        Reply reply = askUdp(RED, 8, "example.test", DnsMessage.TYPE_A);

        assertThat(reply.rcode()).isEqualTo(DnsMessage.SERVFAIL);
        assertThat(reply.id()).isEqualTo(8);
    }

    @Test
    void stoppedAddressNoLongerAnswersAndCanStartAgain() throws IOException {
        server.stop(BLUE);
        assertThatThrownBy(() -> askUdp(BLUE, 9, "db", DnsMessage.TYPE_A)).isInstanceOf(IOException.class);
        assertThat(server.addresses()).containsExactly(RED);

        server.start(BLUE);
        server.start(BLUE);
        assertThat(askUdp(BLUE, 10, "db", DnsMessage.TYPE_A).addresses()).containsExactly("10.2.0.9");
    }

    @Test
    void garbageGetsFormerr() throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(2000);
            byte[] junk = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01};
            socket.send(new DatagramPacket(junk, junk.length, new InetSocketAddress(RED, port)));
            byte[] buffer = new byte[512];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            assertThat(buffer[3] & 0x0f).isEqualTo(DnsMessage.FORMERR);
            assertThat(buffer[0]).isEqualTo((byte) 0x12);
        }
    }

    @Test
    void hostResolversSkipLoopbackOnes(@TempDir Path temp) throws IOException {
        Path conf = Files.writeString(temp.resolve("resolv.conf"), String.join("\n",
                "# written by a test", "search example.test", "nameserver 127.0.0.53", "nameserver 10.0.0.2",
                "nameserver ::1", "nameserver fe80::1%eth0", "options edns0", ""));

        assertThat(EmbeddedDnsServer.hostResolvers(conf)).extracting(a -> a.getAddress().getHostAddress())
                .containsExactly("10.0.0.2", "fe80:0:0:0:0:0:0:1");
        assertThat(EmbeddedDnsServer.hostResolvers(temp.resolve("absent"))).isEmpty();
    }

    record Reply(int id, int flags, int answerCount, List<String> addresses) {
        int rcode() {
            return flags & 0xf;
        }

        boolean authoritative() {
            return (flags & 0x0400) != 0;
        }

        static Reply parse(byte[] b, int length) {
            ByteBuffer buf = ByteBuffer.wrap(b, 0, length);
            int id = buf.getShort(0) & 0xffff;
            int flags = buf.getShort(2) & 0xffff;
            int answers = buf.getShort(6) & 0xffff;
            int at = 12;
            while (b[at] != 0) {
                at += 1 + (b[at] & 0xff);
            }
            at += 5;
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < answers; i++) {
                at += (b[at] & 0xc0) == 0xc0 ? 2 : skipName(b, at);
                int type = buf.getShort(at) & 0xffff;
                int rdLength = buf.getShort(at + 8) & 0xffff;
                if (type == DnsMessage.TYPE_A) {
                    addresses.add((b[at + 10] & 0xff) + "." + (b[at + 11] & 0xff) + "." + (b[at + 12] & 0xff) + "."
                            + (b[at + 13] & 0xff));
                }
                at += 10 + rdLength;
            }
            return new Reply(id, flags, answers, addresses);
        }

        private static int skipName(byte[] b, int at) {
            int start = at;
            while (b[at] != 0) {
                at += 1 + (b[at] & 0xff);
            }
            return at + 1 - start;
        }
    }

    private Reply askUdp(Inet4Address server, int id, String name, int type) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(2000);
            byte[] query = DnsMessage.query(id, name, type);
            socket.send(new DatagramPacket(query, query.length, new InetSocketAddress(server, port)));
            byte[] buffer = new byte[4096];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            return Reply.parse(buffer, packet.getLength());
        }
    }

    private Reply askTcp(Inet4Address server, int id, String name) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server, port), 2000);
            socket.setSoTimeout(2000);
            byte[] query = DnsMessage.query(id, name, DnsMessage.TYPE_A);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] reply = new byte[in.readUnsignedShort()];
            in.readFully(reply);
            return Reply.parse(reply, reply.length);
        }
    }

    /** A UDP port free on 127.0.0.2 and 127.0.0.3 right now (the server binds both, and TCP as well). */
    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static Inet4Address address(String text) {
        try {
            return (Inet4Address) InetAddress.getByName(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A resolver on 127.0.0.1 that knows example.test and answers NXDOMAIN for the rest. */
    private static final class FakeUpstream {
        final DatagramSocket socket;
        final AtomicInteger queries = new AtomicInteger();
        final AtomicInteger tcpQueries = new AtomicInteger();
        final java.net.ServerSocket tcp;
        final Thread thread;
        final int port;

        FakeUpstream() throws IOException {
            DatagramSocket udp = null;
            java.net.ServerSocket stream = null;
            for (int attempt = 1; stream == null; attempt++) {
                udp = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
                try {
                    stream = new java.net.ServerSocket(udp.getLocalPort(), 8, InetAddress.getByName("127.0.0.1"));
                } catch (IOException e) {
                    udp.close(); // its TCP twin is taken: another port
                    if (attempt == 20) {
                        throw e;
                    }
                }
            }
            socket = udp;
            port = udp.getLocalPort();
            tcp = stream;
            thread = new Thread(this::serve, "fake-upstream");
            thread.setDaemon(true);
            thread.start();
            Thread tcpThread = new Thread(this::serveTcp, "fake-upstream-tcp");
            tcpThread.setDaemon(true);
            tcpThread.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress("127.0.0.1", port);
        }

        private void serve() {
            byte[] buffer = new byte[4096];
            while (!socket.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                    queries.incrementAndGet();
                    DnsMessage query = DnsMessage.parse(buffer, packet.getLength());
                    byte[] reply = query.lookupName().equals("example.test")
                            ? query.answer(List.of(EmbeddedDnsServerTest.address("192.0.2.7")), 60)
                            : query.failure(3);
                    socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                } catch (SocketTimeoutException e) {
                    // keep serving
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serveTcp() {
            while (!tcp.isClosed()) {
                try (Socket client = tcp.accept()) {
                    DataInputStream in = new DataInputStream(client.getInputStream());
                    byte[] query = new byte[in.readUnsignedShort()];
                    in.readFully(query);
                    tcpQueries.incrementAndGet();
                    byte[] reply = reply(DnsMessage.parse(query, query.length));
                    DataOutputStream out = new DataOutputStream(client.getOutputStream());
                    out.writeShort(reply.length);
                    out.write(reply);
                    out.flush();
                } catch (IOException e) {
                    if (tcp.isClosed()) {
                        return;
                    }
                }
            }
        }

        private static byte[] reply(DnsMessage query) {
            return query.lookupName().equals("example.test")
                    ? query.answer(List.of(EmbeddedDnsServerTest.address("192.0.2.7")), 60)
                    : query.failure(3);
        }

        void close() {
            socket.close();
            try {
                tcp.close();
            } catch (IOException e) {
                // nothing more to close
            }
        }
    }
}
