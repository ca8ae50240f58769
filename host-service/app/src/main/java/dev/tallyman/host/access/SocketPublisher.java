package dev.tallyman.host.access;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The API socket appears at its path already at mode 0660 and in the socket group (issue 12): never a moment wider.
 * Vert.x binds with the process umask and offers no hook between bind and listen, and the umask is the whole
 * process's, so instead Quarkus binds inside a private folder beside the socket (mode 0700: nobody but root can
 * reach what is in it), the socket's group and mode are set there, and it is renamed to its path. A rename keeps
 * the listening socket; clients connect by path and only ever see the finished file.
 */
public final class SocketPublisher {
    private static final Logger LOG = Logger.getLogger(SocketPublisher.class);

    private SocketPublisher() {
    }

    /** Where Quarkus binds: {@code <dir>/.<name>.bind/<name>}, on the socket's file system so the rename is atomic. */
    public static Path bindPath(Path socket) {
        Path name = socket.getFileName();
        return socket.toAbsolutePath().resolveSibling("." + name + ".bind").resolve(name);
    }

    /** The socket group, looked up; a group that does not exist stops the start, like dockerd's {@code -G}. */
    public static Optional<GroupPrincipal> group(Optional<String> name) {
        if (name.isEmpty() || name.get().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName(name.get().trim()));
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException("tallyman.socket-group: group " + name.get().trim()
                    + " does not exist (TALLYMAN_SOCKET_GROUP); create it, e.g. groupadd " + name.get().trim()
                    + ", or leave the setting unset");
        } catch (IOException e) {
            throw new IllegalArgumentException("tallyman.socket-group: look up group " + name.get() + ": " + e.getMessage());
        }
    }

    /** Before Quarkus starts: a fresh private folder for the bind, owned by this process, mode 0700. */
    public static void prepare(Path socket) throws IOException {
        Path folder = bindPath(socket).getParent();
        if (Files.exists(folder)) {
            try (Stream<Path> left = Files.walk(folder)) {
                for (Path p : left.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(folder.getParent());
        Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /**
     * Waits (on a daemon thread) for Quarkus's bind, then sets group and mode and renames the socket to its path.
     * A failure here leaves the socket unreachable in its private folder, and says so in the log.
     */
    public static void publishWhenBound(Path socket, Optional<GroupPrincipal> group) {
        Path bound = bindPath(socket);
        Thread publish = new Thread(() -> {
            for (int i = 0; i < 6000 && !Files.exists(bound); i++) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
            try {
                PosixFileAttributeView view = Files.getFileAttributeView(bound, PosixFileAttributeView.class);
                if (group.isPresent()) {
                    view.setGroup(group.get());
                }
                view.setPermissions(PosixFilePermissions.fromString("rw-rw----"));
                Files.move(bound, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(bound.getParent());
                LOG.infof("socket %s: mode 0660, group %s", socket, group.map(GroupPrincipal::getName).orElse("of root"));
            } catch (IOException e) {
                LOG.errorf("publish socket %s: %s", socket, e.getMessage());
            }
        }, "socket-publish");
        publish.setDaemon(true);
        publish.start();
    }

    /** At shutdown: the socket was renamed away from where Netty bound it, so Netty cannot remove it. */
    public static void unpublish(Path socket) {
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(bindPath(socket).getParent());
        } catch (IOException e) {
            LOG.warnf("remove socket %s: %s", socket, e.getMessage());
        }
    }
}
