package dev.tallyman.host.policy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every Docker API route Tallyman serves, as "METHOD template" (the template as registered on ApiRouter), mapped
 * to its object kind and operation: the one place audit and access policies learn what a request does. A route
 * missing here is classified by {@link #fallback} and fails RouteTableTest, so a new route gets a line here.
 */
public final class RouteTable {
    public static final Set<String> KINDS = Set.of("container", "image", "network", "volume", "exec", "build",
            "registry", "plugin", "system");

    private static final Map<String, RouteClass> ROUTES = new LinkedHashMap<>();

    static {
        read("GET /_ping", "system", "ping");
        read("HEAD /_ping", "system", "ping");
        read("GET /version", "system", "version");
        read("GET /info", "system", "info");
        read("GET /system/df", "system", "df");
        read("GET /events", "system", "events");
        read("GET /tallyman/state", "system", "state");
        read("GET /tallyman/verify", "system", "verify");
        read("GET /tallyman/v1/drivers", "plugin", "list");
        read("GET /tallyman/v1/verify", "system", "verify");
        read("GET /tallyman/v1/health", "system", "health");

        read("GET /containers/json", "container", "list");
        read("GET /containers/:name/json", "container", "inspect");
        read("GET /containers/:name*/json", "container", "inspect");
        read("GET /containers/:name/logs", "container", "logs");
        read("GET /containers/:name/stats", "container", "stats");
        read("GET /containers/:name/top", "container", "top");
        read("GET /containers/:name/changes", "container", "changes");
        read("GET /containers/:name/export", "container", "export");
        read("GET /containers/:name/archive", "container", "copy-out");
        read("HEAD /containers/:name/archive", "container", "copy-out");
        write("PUT /containers/:name/archive", "container", "copy-in");
        write("POST /containers/create", "container", "create");
        write("POST /containers/:name/start", "container", "start");
        write("POST /containers/:name/stop", "container", "stop");
        write("POST /containers/:name/kill", "container", "kill");
        write("POST /containers/:name/restart", "container", "restart");
        write("POST /containers/:name/pause", "container", "pause");
        write("POST /containers/:name/unpause", "container", "unpause");
        write("POST /containers/:name/rename", "container", "rename");
        write("POST /containers/:name/resize", "container", "resize");
        write("POST /containers/:name/update", "container", "update");
        // attach can type into the container's stdin: a write, as Docker's authz plugins see it too
        write("POST /containers/:name/attach", "container", "attach");
        read("POST /containers/:name/wait", "container", "wait");
        write("DELETE /containers/:name", "container", "remove");
        write("DELETE /containers/:name*", "container", "remove");
        write("POST /containers/prune", "container", "prune");

        write("POST /containers/:name/exec", "exec", "create");
        write("POST /exec/:id/start", "exec", "start");
        write("POST /exec/:id/resize", "exec", "resize");
        read("GET /exec/:id/json", "exec", "inspect");

        read("GET /images/json", "image", "list");
        read("GET /images/:name*/json", "image", "inspect");
        read("GET /images/:name*/history", "image", "history");
        read("GET /images/:name*/get", "image", "save");
        read("GET /images/get", "image", "save");
        read("GET /images/search", "image", "search");
        read("GET /distribution/:name*/json", "image", "distribution");
        write("POST /images/create", "image", "pull");
        write("POST /images/load", "image", "load");
        write("POST /images/:name*/push", "image", "push");
        write("POST /images/:name*/tag", "image", "tag");
        write("POST /images/prune", "image", "prune");
        write("DELETE /images/:name*", "image", "remove");
        write("POST /commit", "image", "commit");
        write("POST /build", "build", "build");
        write("POST /auth", "registry", "login");

        read("GET /networks", "network", "list");
        read("GET /networks/:id", "network", "inspect");
        write("POST /networks/create", "network", "create");
        write("POST /networks/:id/connect", "network", "connect");
        write("POST /networks/:id/disconnect", "network", "disconnect");
        write("POST /networks/prune", "network", "prune");
        write("DELETE /networks/:id", "network", "remove");

        read("GET /volumes", "volume", "list");
        read("GET /volumes/:name", "volume", "inspect");
        write("POST /volumes/create", "volume", "create");
        write("POST /volumes/prune", "volume", "prune");
        write("DELETE /volumes/:name", "volume", "remove");
    }

    private RouteTable() {
    }

    private static void read(String route, String kind, String operation) {
        ROUTES.put(route, new RouteClass(kind, operation, true));
    }

    private static void write(String route, String kind, String operation) {
        ROUTES.put(route, new RouteClass(kind, operation, false));
    }

    /** The route's class, when the table names it. */
    public static Optional<RouteClass> find(String method, String template) {
        return Optional.ofNullable(ROUTES.get(method + " " + template));
    }

    /** The route's class; one the table misses is read from its path and method, so a policy still applies. */
    public static RouteClass classify(String method, String template) {
        return find(method, template).orElseGet(() -> fallback(method, template));
    }

    static RouteClass fallback(String method, String template) {
        String first = template.replaceFirst("^/", "").split("/", 2)[0];
        String kind = first.endsWith("s") ? first.substring(0, first.length() - 1) : first;
        boolean read = method.equals("GET") || method.equals("HEAD");
        return new RouteClass(KINDS.contains(kind) ? kind : "system", read ? "read" : "write", read);
    }

    /** Every operation name the table uses, for checking policy files. */
    public static Set<String> operations() {
        Set<String> names = new java.util.TreeSet<>();
        ROUTES.values().forEach(c -> names.add(c.operation()));
        names.add("read");
        names.add("write");
        return names;
    }
}
