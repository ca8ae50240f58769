package dev.tallyman.host.commands.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The uid and gid a container's user has, read from the container's own /etc/passwd and /etc/group as Docker
 * does for docker cp -a: "" is root, "name", "uid", "name:group" and "uid:gid" are all understood.
 */
public final class ContainerUsers {
    private ContainerUsers() {
    }

    public static int[] ids(Path root, String user) throws IOException {
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

    private static List<String[]> entries(Path root, String file) throws IOException {
        Path path = ScopedPath.resolve(root, file, true).host();
        if (!Files.isRegularFile(path)) {
            return List.of();
        }
        return Files.readAllLines(path).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split(":", -1))
                .filter(f -> f.length >= 3 && f[2].matches("[0-9]+"))
                .toList();
    }
}
