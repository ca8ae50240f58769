package dev.tallyman.images.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tallyman.images.reference.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A pass-through HTTP proxy on 127.0.0.1 in front of a registry (GET only, as pull needs) that serves one
 * blob cut to half its length, as a broken connection or a lying cache would: the response ends cleanly
 * (chunked), so only the client's own size check can notice.
 */
final class CuttingProxy implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP = Set.of("content-length", "transfer-encoding", "connection", "keep-alive");

    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI upstream;
    private final Digest cut;

    CuttingProxy(URI upstream, Digest cut) throws IOException {
        this.upstream = upstream;
        this.cut = cut;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::forward);
        server.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()));
            for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
                String name = header.getKey().toLowerCase(Locale.ROOT);
                if (name.equals("accept") || name.equals("authorization")) {
                    header.getValue().forEach(v -> request.header(header.getKey(), v));
                }
            }
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("proxy interrupted", e);
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            byte[] body = response.body();
            boolean cutThis = exchange.getRequestURI().getPath().endsWith("/blobs/" + cut);
            if (cutThis) {
                exchange.sendResponseHeaders(response.statusCode(), 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body, 0, body.length / 2);
                }
                return;
            }
            exchange.sendResponseHeaders(response.statusCode(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
