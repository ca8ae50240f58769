package dev.tallyman.audit.store;

/**
 * Who caused an event. For a unix-socket client: its uid, pid and user name from SO_PEERCRED; for a TLS
 * client: the certificate subject; for Tallyman itself (a container died, boot reconciliation): kind SYSTEM
 * and a component name in {@code userName}. Absent numbers are -1, absent text "".
 */
public record Actor(Kind kind, int uid, int pid, String userName, String tlsSubject) {

    public enum Kind { SOCKET, TLS, SYSTEM }

    public static Actor socket(int uid, int pid, String userName) {
        return new Actor(Kind.SOCKET, uid, pid, userName, "");
    }

    public static Actor tls(String subject) {
        return new Actor(Kind.TLS, -1, -1, "", subject);
    }

    public static Actor system(String component) {
        return new Actor(Kind.SYSTEM, -1, -1, component, "");
    }
}
