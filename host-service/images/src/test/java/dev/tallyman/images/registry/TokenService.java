package dev.tallyman.images.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A Docker token service on 127.0.0.1 for a real registry configured with {@code auth: token}: it checks
 * Basic credentials and hands out RS256 JWTs signed with a key made by {@code keytool}, whose self-signed
 * certificate the registry trusts (rootcertbundle) and finds in the token's {@code x5c} header. Anonymous
 * callers get a token without access, as Docker Hub does; wrong credentials get 401 {@code {"details":...}}.
 */
final class TokenService implements AutoCloseable {
    static final String SERVICE = "tallyman-test-registry";
    static final String ISSUER = "tallyman-test-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final HttpServer server;
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Path certificatePem;
    private final String username;
    private final String password;
    /** Every scope list a token was asked for, in order: how often the client came back for one. */
    final List<String> requests = new CopyOnWriteArrayList<>();

    TokenService(Path dir, String username, String password) throws Exception {
        this.username = username;
        this.password = password;
        Files.createDirectories(dir);
        Path keystore = dir.resolve("token.p12");
        certificatePem = dir.resolve("token.pem");
        run("keytool", "-genkeypair", "-keyalg", "RSA", "-keysize", "2048", "-alias", "token", "-dname", "CN=token",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit");
        run("keytool", "-exportcert", "-rfc", "-alias", "token", "-keystore", keystore.toString(), "-storepass",
                "changeit", "-file", certificatePem.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        key = (PrivateKey) store.getKey("token", "changeit".toCharArray());
        certificate = (X509Certificate) store.getCertificate("token");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", this::token);
        server.start();
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The registry's {@code auth:} section. */
    String authYaml() {
        return String.join("\n",
                "auth:",
                "  token:",
                "    realm: " + realm(),
                "    service: " + SERVICE,
                "    issuer: " + ISSUER,
                "    rootcertbundle: " + certificatePem);
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            List<String> scopes = new ArrayList<>();
            String query = exchange.getRequestURI().getRawQuery();
            if (query != null) {
                for (String pair : query.split("&")) {
                    String[] kv = pair.split("=", 2);
                    if (kv[0].equals("scope") && kv.length == 2) {
                        scopes.add(URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
                    }
                }
            }
            requests.add(String.join(" ", scopes));
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            boolean anonymous = authorization == null;
            String expected = "Basic " + Base64.getEncoder().encodeToString(
                    (username + ":" + password).getBytes(StandardCharsets.UTF_8));
            if (!anonymous && !expected.equals(authorization)) {
                send(exchange, 401, Map.of("details", "incorrect username or password"));
                return;
            }
            List<Map<String, Object>> access = new ArrayList<>();
            if (!anonymous) {
                for (String scope : scopes) {
                    String[] parts = scope.split(":");
                    if (parts.length == 3 && parts[0].equals("repository")) {
                        access.add(Map.of("type", "repository", "name", parts[1],
                                "actions", List.of(parts[2].split(","))));
                    }
                }
            }
            send(exchange, 200, Map.of("token", jwt(anonymous ? "" : username, access), "expires_in", 300));
        } catch (Exception e) {
            throw new IOException("token service: " + e.getMessage(), e);
        }
    }

    private String jwt(String subject, List<Map<String, Object>> access) throws Exception {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("alg", "RS256");
        header.put("x5c", List.of(Base64.getEncoder().encodeToString(certificate.getEncoded())));
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("aud", SERVICE);
        claims.put("exp", now + 300);
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("access", access);
        String signingInput = URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + URL.encodeToString(JSON.writeValueAsBytes(claims));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + URL.encodeToString(rsa.sign());
    }

    private static void send(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
