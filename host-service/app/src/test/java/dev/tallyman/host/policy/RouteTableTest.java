package dev.tallyman.host.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    // router.get("/containers/json", …) and the like, in every class that registers routes on ApiRouter
    private static final Pattern REGISTRATION =
            Pattern.compile("\\b\\w+\\.(get|head|post|postJson|delete|put)\\(\\s*\"(/[^\"]*)\"");
    private static final Map<String, String> METHODS = Map.of("get", "GET", "head", "HEAD", "post", "POST",
            "postJson", "POST", "delete", "DELETE", "put", "PUT");

    /** Reads the sources, as the registrations are spread over the *Api classes and need a running engine to call. */
    static List<String> registeredRoutes() throws IOException {
        List<String> routes = new ArrayList<>();
        Path sources = Path.of("src/main/java/dev/tallyman/host");
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                if (!text.contains("ApiRouter")) {
                    continue;
                }
                Matcher m = REGISTRATION.matcher(text);
                while (m.find()) {
                    routes.add(METHODS.get(m.group(1)) + " " + m.group(2));
                }
            }
        }
        return routes;
    }

    @Test
    void everyRegisteredRouteHasAClass() throws IOException {
        List<String> routes = registeredRoutes();
        assertTrue(routes.size() > 60, "found only " + routes.size() + " routes: " + routes);
        List<String> missing = new ArrayList<>();
        for (String route : routes) {
            String[] parts = route.split(" ", 2);
            if (RouteTable.find(parts[0], parts[1]).isEmpty()) {
                missing.add(route);
            }
        }
        assertEquals(List.of(), missing, "routes without a line in RouteTable");
    }

    @Test
    void queriesAreReadsAndChangesAreWrites() {
        assertEquals(new RouteClass("container", "logs", true), RouteTable.classify("GET", "/containers/:name/logs"));
        assertEquals(new RouteClass("container", "create", false), RouteTable.classify("POST", "/containers/create"));
        assertEquals(new RouteClass("exec", "create", false), RouteTable.classify("POST", "/containers/:name/exec"));
        assertEquals(new RouteClass("registry", "login", false), RouteTable.classify("POST", "/auth"));
    }

    @Test
    void aRouteTheTableMissesIsClassifiedByPathAndMethod() {
        assertEquals(new RouteClass("volume", "write", false), RouteTable.classify("POST", "/volumes/:name/frobnicate"));
        assertEquals(new RouteClass("system", "read", true), RouteTable.classify("GET", "/swarm"));
    }
}
