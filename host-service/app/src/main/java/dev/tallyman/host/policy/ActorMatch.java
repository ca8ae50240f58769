package dev.tallyman.host.policy;

import java.util.List;

/**
 * Which callers a rule is about. Each list left out matches anyone; when several are given, a caller named in
 * any of them matches (a rule for "uid 1000 or group auditors"). No lists at all: everyone, Tallyman included.
 *
 * @param uids socket callers by uid
 * @param users socket callers by user name (from /etc/passwd)
 * @param groups group names or numeric gids; the caller's primary and supplementary groups count
 * @param tlsSubjects TLS client certificate subjects, exactly as recorded
 */
public record ActorMatch(List<Integer> uids, List<String> users, List<String> groups, List<String> tlsSubjects) {
    public static final ActorMatch ANYONE = new ActorMatch(null, null, null, null);

    public ActorMatch {
        uids = uids == null ? List.of() : List.copyOf(uids);
        users = users == null ? List.of() : List.copyOf(users);
        groups = groups == null ? List.of() : List.copyOf(groups);
        tlsSubjects = tlsSubjects == null ? List.of() : List.copyOf(tlsSubjects);
    }

    public boolean anyone() {
        return uids.isEmpty() && users.isEmpty() && groups.isEmpty() && tlsSubjects.isEmpty();
    }

    public boolean matches(Caller caller) {
        if (anyone()) {
            return true;
        }
        var actor = caller.actor();
        if (uids.contains(actor.uid()) || (!actor.userName().isEmpty() && users.contains(actor.userName()))
                || (!actor.tlsSubject().isEmpty() && tlsSubjects.contains(actor.tlsSubject()))) {
            return true;
        }
        for (String group : groups) {
            Integer gid = GroupNames.gidOf(group);
            if (gid != null && caller.gids().contains(gid)) {
                return true;
            }
        }
        return false;
    }
}
