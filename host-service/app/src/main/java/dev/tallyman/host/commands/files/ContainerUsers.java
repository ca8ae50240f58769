package dev.tallyman.host.commands.files;

import dev.tallyman.spi.linux.Errno;
import dev.tallyman.spi.linux.ErrnoException;
import dev.tallyman.spi.linux.PinnedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The uid and gid a container's user has, read from the container's own /etc/passwd and /etc/group as Docker
 * does for docker cp -a: "" is root, "name", "uid", "name:group" and "uid:gid" are all understood.
 */
public final class ContainerUsers {
    private ContainerUsers() {
    }

    /** For a root no one else can change meanwhile (a build's layer). */
    public static int[] ids(Path root, String user) throws IOException {
        try (PinnedFile opened = PinnedFile.openDirectory(root)) {
            return ids(opened, user);
        }
    }

    public static int[] ids(PinnedFile root, String user) throws IOException {
        if (user == null || user.isEmpty()) {
            return new int[] {0, 0};
        }
        int colon = user.indexOf(':');
        String userPart = colon < 0 ? user : user.substring(0, colon);
        String groupPart = colon < 0 ? "" : user.substring(colon + 1);
        List<String[]> passwd = entries(root, "/etc/passwd");
        int uid;
        int gid;
        String[] byUser = find(passwd, userPart);
        if (byUser != null) {
            uid = Integer.parseInt(byUser[2]);
            gid = byUser.length > 3 && byUser[3].matches("[0-9]+") ? Integer.parseInt(byUser[3]) : 0;
        } else if (userPart.matches("[0-9]+")) {
            uid = Integer.parseInt(userPart);
            gid = 0;
        } else {
            throw new IOException("unable to find user " + userPart + ": no matching entries in passwd file");
        }
        if (!groupPart.isEmpty()) {
            String[] byGroup = find(entries(root, "/etc/group"), groupPart);
            if (byGroup != null) {
                gid = Integer.parseInt(byGroup[2]);
            } else if (groupPart.matches("[0-9]+")) {
                gid = Integer.parseInt(groupPart);
            } else {
                throw new IOException("unable to find group " + groupPart + ": no matching entries in group file");
            }
        }
        return new int[] {uid, gid};
    }

    /** The line whose name (first field) or, for a number, id (third field) matches. */
    private static String[] find(List<String[]> entries, String wanted) {
        for (String[] e : entries) {
            if (e[0].equals(wanted)) {
                return e;
            }
        }
        for (String[] e : entries) {
            if (e[2].equals(wanted)) {
                return e;
            }
        }
        return null;
    }

    private static List<String[]> entries(PinnedFile root, String file) throws IOException {
        List<String> lines;
        try (PinnedFile opened = root.openInRoot(file, PinnedFile.O_PATH)) {
            if (!opened.stat().isRegularFile()) {
                return List.of();
            }
            try (InputStream in = opened.read()) {
                lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            }
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                return List.of();
            }
            throw e;
        }
        return lines.stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split(":", -1))
                .filter(f -> f.length >= 3 && f[2].matches("[0-9]+"))
                .toList();
    }
}
