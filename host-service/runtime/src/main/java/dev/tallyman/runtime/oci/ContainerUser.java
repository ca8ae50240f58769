package dev.tallyman.runtime.oci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The numeric identity a container process runs as, resolved from Docker's {@code -u} text against the rootfs'
 * {@code /etc/passwd} and {@code /etc/group}, as Docker does before it hands runc numbers.
 *
 * @param uid user id
 * @param gid primary group id
 * @param additionalGids groups that list the user as a member (besides the primary one)
 */
public record ContainerUser(int uid, int gid, List<Integer> additionalGids) {
    public ContainerUser {
        additionalGids = List.copyOf(additionalGids);
    }

    /**
     * Resolves {@code ""}, {@code uid}, {@code uid:gid}, {@code name}, {@code name:group} (and mixes).
     * A number not in the files is used as is (gid 0 when only a uid is given); a name not in them fails.
     *
     * @throws SpecificationException with Docker's message when a named user or group is missing
     */
    public static ContainerUser resolve(Path rootfs, String spec) {
        String userPart = spec == null ? "" : spec;
        String groupPart = null;
        int colon = userPart.indexOf(':');
        if (colon >= 0) {
            groupPart = userPart.substring(colon + 1);
            userPart = userPart.substring(0, colon);
        }
        List<String[]> passwd = entries(rootfs, "/etc/passwd");
        List<String[]> groups = entries(rootfs, "/etc/group");

        String userName = null;
        int uid;
        int gid = 0;
        if (userPart.isEmpty()) {
            uid = 0;
            Optional<String[]> root = find(passwd, 2, "0");
            if (root.isPresent()) {
                userName = root.get()[0];
                gid = parseId(root.get()[3], 0);
            }
        } else if (isNumber(userPart)) {
            uid = Integer.parseInt(userPart);
            Optional<String[]> entry = find(passwd, 2, userPart);
            if (entry.isPresent()) {
                userName = entry.get()[0];
                gid = parseId(entry.get()[3], 0);
            }
        } else {
            String[] entry = find(passwd, 0, userPart).orElseThrow(() -> new SpecificationException(
                    "unable to find user " + spec.substring(0, colon >= 0 ? colon : spec.length())
                            + ": no matching entries in passwd file"));
            userName = entry[0];
            uid = parseId(entry[2], 0);
            gid = parseId(entry[3], 0);
        }

        if (groupPart != null && !groupPart.isEmpty()) {
            if (isNumber(groupPart)) {
                gid = Integer.parseInt(groupPart);
            } else {
                String name = groupPart;
                String[] entry = find(groups, 0, name).orElseThrow(() -> new SpecificationException(
                        "unable to find group " + name + ": no matching entries in group file"));
                gid = parseId(entry[2], 0);
            }
        }

        List<Integer> additional = new ArrayList<>();
        if (userName != null && groupPart == null) {
            // Only when no group was forced: Docker (libcontainer's user lookup) adds the user's memberships then.
            for (String[] group : groups) {
                if (group.length > 3 && List.of(group[3].split(",")).contains(userName)) {
                    int id = parseId(group[2], -1);
                    if (id >= 0 && id != gid && !additional.contains(id)) {
                        additional.add(id);
                    }
                }
            }
        }
        return new ContainerUser(uid, gid, additional);
    }

    /**
     * The user's groups plus --group-add's, each a number (used as is) or a name from the image's /etc/group, in
     * the order given, without repeats.
     *
     * @throws SpecificationException with Docker's message when a named group is missing
     */
    public ContainerUser withGroups(Path rootfs, List<String> groupAdd) {
        if (groupAdd.isEmpty()) {
            return this;
        }
        List<String[]> groups = entries(rootfs, "/etc/group");
        List<Integer> all = new ArrayList<>(additionalGids);
        for (String group : groupAdd) {
            int id;
            if (isNumber(group)) {
                id = Integer.parseInt(group);
            } else {
                String[] entry = find(groups, 0, group).orElseThrow(() -> new SpecificationException(
                        "Unable to find group " + group));
                id = parseId(entry[2], 0);
            }
            if (!all.contains(id)) {
                all.add(id);
            }
        }
        return new ContainerUser(uid, gid, all);
    }

    private static Optional<String[]> find(List<String[]> entries, int field, String value) {
        return entries.stream().filter(e -> e.length > field && e[field].equals(value)).findFirst();
    }

    private static List<String[]> entries(Path rootfs, String file) {
        Path path = RootfsPath.resolve(rootfs, file);
        if (!RootfsPath.isFile(path)) {
            return List.of();
        }
        try {
            List<String[]> result = new ArrayList<>();
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                String trimmed = line.trim();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                    result.add(trimmed.split(":", -1));
                }
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("read " + file + " in " + rootfs + ": " + e.getMessage(), e);
        }
    }

    private static boolean isNumber(String text) {
        return !text.isEmpty() && text.length() <= 10 && text.chars().allMatch(Character::isDigit)
                && Long.parseLong(text) <= Integer.MAX_VALUE;
    }

    private static int parseId(String text, int fallback) {
        return isNumber(text) ? Integer.parseInt(text) : fallback;
    }
}
