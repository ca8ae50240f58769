package dev.tallyman.host.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A group as a policy names it (a name from /etc/group, or a number) to its gid; read per call so a group added later counts. */
final class GroupNames {
    private GroupNames() {
    }

    static Integer gidOf(String group) {
        if (group.chars().allMatch(Character::isDigit) && !group.isEmpty()) {
            return Integer.valueOf(group);
        }
        try {
            for (String line : Files.readAllLines(Path.of("/etc/group"))) {
                String[] fields = line.split(":", -1);
                if (fields.length > 2 && fields[0].equals(group)) {
                    return Integer.valueOf(fields[2]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // an unreadable /etc/group names no group: the rule matches nobody by group
        }
        return null;
    }
}
