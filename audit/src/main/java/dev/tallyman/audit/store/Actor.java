package dev.tallyman.audit.store;

/**
 * Who caused an event. For a unix-socket client: its uid, pid and user name from SO_PEERCRED, and its login uid
 * (the person behind {@code sudo}, from /proc/&lt;pid&gt;/loginuid); for a TLS client: the certificate subject; for
 * Tallyman itself (a container died, boot reconciliation): kind SYSTEM and a component name in {@code userName}.
 * Absent numbers are -1, absent text "". A login uid the kernel never set (4294967295) is -1 too.
 *
 * @param loginUid added with issue 12 (migration V5): events stored before it read back as -1, and -1 is left out
 *                 of the event hash, so their hashes still hold
 */
public record Actor(Kind kind, int uid, int pid, String userName, String tlsSubject, int loginUid) {

    /** A number the actor does not have: no login uid set, or an actor kind without one. */
    public static final int UNSET = -1;

    public enum Kind { SOCKET, TLS, SYSTEM }

    public Actor(Kind kind, int uid, int pid, String userName, String tlsSubject) {
        this(kind, uid, pid, userName, tlsSubject, UNSET);
    }

    public static Actor socket(int uid, int pid, String userName) {
        return new Actor(Kind.SOCKET, uid, pid, userName, "");
    }

    public static Actor socket(int uid, int pid, String userName, int loginUid) {
        return new Actor(Kind.SOCKET, uid, pid, userName, "", loginUid);
    }

    public static Actor tls(String subject) {
        return new Actor(Kind.TLS, -1, -1, "", subject);
    }

    public static Actor system(String component) {
        return new Actor(Kind.SYSTEM, -1, -1, component, "");
    }
}
