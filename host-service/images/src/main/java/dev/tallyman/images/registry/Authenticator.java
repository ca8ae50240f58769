package dev.tallyman.images.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers a registry's 401 challenges for one endpoint and one set of credentials: {@code Basic} with the user
 * name and password, {@code Bearer} with a token fetched from the challenge's realm (RFC 6750, Docker's token
 * protocol). Once a challenge was seen, later requests carry the answer up front; tokens are cached per scope
 * until shortly before they expire. Safe for concurrent use.
 */
final class Authenticator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MINIMUM_TOKEN_LIFE = Duration.ofSeconds(60);
    private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(10);

    private final HttpClient http;
    private final Optional<RegistryCredentials> credentials;
    private final Clock clock;
    private volatile AuthChallenge challenge;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    private record Token(String value, Instant expires) {
    }

    Authenticator(HttpClient http, Optional<RegistryCredentials> credentials, Clock clock) {
        this.http = http;
        this.credentials = credentials;
        this.clock = clock;
    }

    /** The Authorization header to send before being asked, if an earlier challenge tells what it is. */
    Optional<String> preemptive(List<String> scopes) {
        AuthChallenge known = challenge;
        if (known == null) {
            return Optional.empty();
        }
        if (known.isBasic()) {
            return basicHeader();
        }
        Token token = tokens.get(key(scopes));
        if (token != null && clock.instant().isBefore(token.expires())) {
            return Optional.of("Bearer " + token.value());
        }
        return Optional.empty();
    }

    /**
     * The Authorization header answering a 401 ({@code operation}, {@code Get "<url>"}, prefixes messages), or a
     * failure in Docker's words: {@code no basic auth credentials}, the token service's refusal. {@code refused}
     * is the header the 401 answered, never offered again.
     */
    String answer(List<AuthChallenge> challenges, List<String> scopes, String operation, Optional<String> refused) {
        Optional<AuthChallenge> bearer = challenges.stream().filter(AuthChallenge::isBearer).findFirst();
        Optional<AuthChallenge> basic = challenges.stream().filter(AuthChallenge::isBasic).findFirst();
        if (bearer.isPresent()) {
            challenge = bearer.get();
            // Parallel requests all meet the first 401 together: one fetches the token, the others take it.
            synchronized (this) {
                Token cached = tokens.get(key(scopes));
                if (cached != null && clock.instant().isBefore(cached.expires())
                        && !refused.equals(Optional.of("Bearer " + cached.value()))) {
                    return "Bearer " + cached.value();
                }
                return "Bearer " + fetchToken(bearer.get(), scopes, operation);
            }
        }
        if (basic.isPresent()) {
            challenge = basic.get();
            return basicHeader().orElseThrow(() -> new RegistryException(RegistryException.Reason.UNAUTHORIZED,
                    operation + ": no basic auth credentials"));
        }
        throw new RegistryException(RegistryException.Reason.UNAUTHORIZED, operation
                + ": unauthorized: authentication required (no supported authentication scheme offered)");
    }

    private Optional<String> basicHeader() {
        return credentials.filter(c -> !c.username().isEmpty() && c.identityToken().isEmpty())
                .map(c -> "Basic " + Base64.getEncoder().encodeToString(
                        (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8)));
    }

    private String fetchToken(AuthChallenge bearer, List<String> scopes, String operation) {
        String realm = bearer.parameter("realm").orElseThrow(() -> new RegistryException(
                RegistryException.Reason.PROTOCOL, operation + ": bearer challenge without realm"));
        Optional<String> service = bearer.parameter("service");
        List<String> wanted = scopes.isEmpty() ? bearer.parameter("scope").map(List::of).orElse(List.of()) : scopes;
        HttpRequest request;
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(RegistryException.Reason.PROTOCOL, operation + ": invalid token realm");
        }
        Optional<String> refresh = credentials.flatMap(RegistryCredentials::identityToken);
        if (refresh.isPresent()) {
            // An identity token is an OAuth refresh token: exchanged by POST, as Docker does.
            List<String> form = new ArrayList<>();
            form.add("grant_type=refresh_token");
            form.add("refresh_token=" + encode(refresh.get()));
            form.add("client_id=docker");
            service.ifPresent(s -> form.add("service=" + encode(s)));
            if (!wanted.isEmpty()) {
                form.add("scope=" + encode(String.join(" ", wanted)));
            }
            request = HttpRequest.newBuilder(realmUri)
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(String.join("&", form)))
                    .build();
        } else {
            List<String> query = new ArrayList<>();
            service.ifPresent(s -> query.add("service=" + encode(s)));
            wanted.forEach(s -> query.add("scope=" + encode(s)));
            String separator = realm.contains("?") ? "&" : "?";
            URI uri = URI.create(query.isEmpty() ? realm : realm + separator + String.join("&", query));
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
            basicHeader().ifPresent(h -> builder.header("Authorization", h));
            request = builder.build();
        }
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                body = in.readNBytes(1 << 20);
            }
        } catch (IOException e) {
            throw new RegistryException(RegistryException.Reason.UNREACHABLE, operation + ": fetch token: "
                    + RegistryClient.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(RegistryException.Reason.UNREACHABLE, operation + ": fetch token: interrupted");
        }
        if (response.statusCode() != 200) {
            RegistryError error = RegistryError.of(response.statusCode(),
                    AuthChallenge.parseAll(response.headers().allValues("WWW-Authenticate")), body);
            throw new RegistryException(error.status() == 401 ? RegistryException.Reason.UNAUTHORIZED : error.reason(),
                    operation + ": " + error.text());
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            throw new RegistryException(RegistryException.Reason.PROTOCOL, operation + ": read token response: "
                    + "not JSON");
        }
        String token = json.path("token").asText("");
        if (token.isEmpty()) {
            token = json.path("access_token").asText("");
        }
        if (token.isEmpty()) {
            throw new RegistryException(RegistryException.Reason.PROTOCOL, operation
                    + ": authorization server did not include a token in the response");
        }
        long seconds = json.path("expires_in").asLong(0);
        Duration life = seconds <= 0 ? MINIMUM_TOKEN_LIFE : Duration.ofSeconds(Math.max(seconds, MINIMUM_TOKEN_LIFE.getSeconds()));
        tokens.put(key(wanted), new Token(token, clock.instant().plus(life).minus(EXPIRY_MARGIN)));
        if (!wanted.equals(scopes)) {
            tokens.put(key(scopes), new Token(token, clock.instant().plus(life).minus(EXPIRY_MARGIN)));
        }
        return token;
    }

    private static String key(List<String> scopes) {
        return String.join(" ", scopes);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
