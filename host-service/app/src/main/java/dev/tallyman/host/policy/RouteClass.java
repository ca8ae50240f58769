package dev.tallyman.host.policy;

/**
 * What a Docker API route does, in the words policies use: the kind of object it touches, the operation, and
 * whether it only reads. Reads include calls that take data out (logs, export, cp out, save): they change nothing.
 *
 * @param kind container, image, network, volume, exec, build, registry, plugin or system
 * @param operation list, inspect, logs, create, start, … (one word, as {@link RouteTable} names it)
 * @param read true when the call changes no state
 */
public record RouteClass(String kind, String operation, boolean read) {

    public RouteClass {
        if (!RouteTable.KINDS.contains(kind)) {
            throw new IllegalArgumentException("unknown object kind: " + kind);
        }
    }

    public String access() {
        return read ? "read" : "write";
    }
}
