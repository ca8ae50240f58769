package dev.tallyman.host;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Starts the service. Before Quarkus binds the socket, a socket file left by a killed predecessor is removed,
 * but only when nobody answers on it: a second Tallyman on the same socket must fail, not steal it.
 */
@QuarkusMain
public final class TallymanMain {
    private TallymanMain() {
    }

    public static void main(String... args) throws IOException {
        // daemon.json first: a bad key stops the service here, named, before anything is bound or started
        try {
            dev.tallyman.host.config.daemon.DaemonJsonFile.activate(System.getenv());
        } catch (dev.tallyman.host.config.daemon.DaemonJsonException e) {
            System.err.println("tallyman: " + e.getMessage());
            System.exit(1);
        }
        // the policy files likewise (issues 11, 12): a bad rule stops the service before it serves anyone
        try {
            dev.tallyman.host.policy.PolicySettings.load();
        } catch (dev.tallyman.host.policy.PolicyException e) {
            System.err.println("tallyman: " + e.getMessage());
            System.exit(1);
        }
        Path socket = Path.of(ConfigProvider.getConfig().getValue("tallyman.socket", String.class));
        if (SocketActivation.activated(System.getenv())) {
            SocketActivation.takeOver(socket);
        }
        if (Files.exists(socket)) {
            if (someoneListens(socket)) {
                System.err.println("tallyman: another server is listening on " + socket);
                System.exit(1);
            }
            Files.delete(socket);
        }
        Files.createDirectories(socket.toAbsolutePath().getParent());
        // issue 12: a socket group that does not exist stops the start here, named; Quarkus binds in a private
        // folder and the socket is moved to its path once its group and mode are right (SocketPublisher)
        try {
            dev.tallyman.host.access.SocketPublisher.group(
                    ConfigProvider.getConfig().getOptionalValue("tallyman.socket-group", String.class));
        } catch (IllegalArgumentException e) {
            System.err.println("tallyman: " + e.getMessage());
            System.exit(1);
        }
        dev.tallyman.host.access.SocketPublisher.prepare(socket);
        System.setProperty("quarkus.http.domain-socket", dev.tallyman.host.access.SocketPublisher.bindPath(socket).toString());
        Quarkus.run(args);
    }

    private static boolean someoneListens(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return false;
        }
    }
}
