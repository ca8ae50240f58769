package dev.tallyman.audit.store;

/** A stream's name: a kind and an id, {@code container-3f2a…}, or a single word for a one-stream kind ({@code images}). */
public record StreamId(String value) {
    public StreamId {
        if (value == null || value.length() > 200 || !valid(value)) {
            throw new IllegalArgumentException("invalid stream id: " + value);
        }
    }

    /**
     * {@code [a-z][a-z0-9]*(-[a-zA-Z0-9_.:-]+)?}, checked by hand: every event read back builds a stream id, and a
     * regular expression per row was a tenth of a replay's time.
     */
    private static boolean valid(String value) {
        int n = value.length();
        if (n == 0 || !lower(value.charAt(0))) {
            return false;
        }
        int i = 1;
        while (i < n && (lower(value.charAt(i)) || digit(value.charAt(i)))) {
            i++;
        }
        if (i == n) {
            return true;
        }
        if (value.charAt(i) != '-' || i == n - 1) {
            return false;
        }
        for (i++; i < n; i++) {
            char c = value.charAt(i);
            if (!(lower(c) || digit(c) || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == ':' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static boolean lower(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    public static StreamId of(String kind, String id) {
        return new StreamId(kind + "-" + id);
    }

    public static StreamId container(String containerId) {
        return of("container", containerId);
    }

    public static StreamId network(String networkId) {
        return of("network", networkId);
    }

    public static StreamId volume(String name) {
        return of("volume", name);
    }

    /**
     * One registry's login attempts; the host may carry a port ({@code localhost:5000}). Characters a stream id
     * cannot hold (the brackets of {@code [::1]:5000}) become {@code _}; the events name the host as given.
     */
    public static StreamId registry(String host) {
        return of("registry", host.isEmpty() ? "_" : host.replaceAll("[^a-zA-Z0-9_.:-]", "_"));
    }

    /**
     * One image's stream, named by its id without the algorithm ({@code image-3f2a…}): what is done to an image
     * that exists (tag, untag, push, delete).
     */
    public static StreamId image(String imageId) {
        return of("image", imageId.startsWith("sha256:") ? imageId.substring("sha256:".length()) : imageId);
    }

    /**
     * The stream of one request that makes images ({@code pull-<correlation id>}, {@code import-…}, {@code load-…},
     * {@code commit-…}, {@code save-…}): the image's id is known only at its end, so the request's intent, its
     * outcome and the names it gave are kept together here, apart from every other request's.
     */
    public static StreamId request(String kind, java.util.UUID correlationId) {
        return of(kind, correlationId.toString());
    }

    /** Every image's events, in stores written before images had a stream each: read, never appended to. */
    public static final StreamId IMAGES = new StreamId("images");
    /** What the reconciler did to the machine on its own account (orphans removed). */
    public static final StreamId RECONCILE = new StreamId("reconcile");
    public static final StreamId REFUSALS = new StreamId("refusals");
    /** Reads an audit policy asked to record (issue 11): appended with any version, never contended. */
    public static final StreamId AUDIT_READS = new StreamId("audit-reads");
    /** Request bodies of state changes an audit policy asked to record. */
    public static final StreamId AUDIT_REQUESTS = new StreamId("audit-requests");
    /** Snapshots of the projections taken and refused (issue 10). */
    public static final StreamId SNAPSHOTS = new StreamId("snapshots");
    /** Driver plugins loaded, refused and used (issue 14). */
    public static final StreamId PLUGINS = new StreamId("plugins");

    @Override
    public String toString() {
        return value;
    }
}
