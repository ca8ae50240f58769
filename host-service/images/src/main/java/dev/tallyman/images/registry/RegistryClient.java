package dev.tallyman.images.registry;

import dev.tallyman.images.reference.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Registry HTTP API v2 for one repository at one endpoint, as one set of credentials sees it: each public
 * method is one remote operation (fetch a manifest, check, fetch or upload a blob, put a manifest). Every
 * request goes anonymous first; a 401 is answered through the {@link Authenticator} and the request sent once
 * more. Redirects (blob storage elsewhere) are followed without the Authorization header. Failures are
 * {@link RegistryException}s whose messages read like Docker's ({@code Get "<url>": <cause>} for transport
 * and auth failures, the registry's own error otherwise) and never hold a credential.
 */
public final class RegistryClient {
    private static final int MAX_REDIRECTS = 5;
    // Until the response headers arrive: for an upload that includes sending the whole body.
    private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(30);
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final int MAX_MANIFEST = 4 * 1024 * 1024;

    private final HttpClient http;
    private final RegistryEndpoint endpoint;
    private final String repository;
    private final List<String> scopes;
    private final Authenticator auth;

    /** Bytes of a manifest as received, with the Content-Type the registry gave them. */
    public record FetchedManifest(byte[] bytes, String contentType) {
    }

    /** An open blob body; {@code length} is -1 when the registry did not say. The caller closes {@code body}. */
    public record BlobStream(InputStream body, long length) {
    }

    /**
     * @param http        shared client; should not follow redirects itself (see {@link #newHttpClient()})
     * @param endpoint    where to send requests
     * @param repository  the repository path, e.g. {@code library/busybox}
     * @param credentials what to answer Basic and Bearer challenges with; empty: anonymous only
     * @param push        whether the token must allow push as well as pull
     */
    public RegistryClient(HttpClient http, RegistryEndpoint endpoint, String repository,
                          Optional<RegistryCredentials> credentials, boolean push) {
        this(http, endpoint, repository, credentials,
                List.of("repository:" + repository + ":" + (push ? "pull,push" : "pull")));
    }

    private RegistryClient(HttpClient http, RegistryEndpoint endpoint, String repository,
                           Optional<RegistryCredentials> credentials, List<String> scopes) {
        this.http = http;
        this.endpoint = endpoint;
        this.repository = repository;
        this.scopes = scopes;
        this.auth = new Authenticator(http, credentials, Clock.systemUTC());
    }

    /** A client for {@link #ping()} alone, as login uses it: tokens are asked for without a scope. */
    public static RegistryClient forLogin(HttpClient http, RegistryEndpoint endpoint, RegistryCredentials credentials) {
        return new RegistryClient(http, endpoint, "", Optional.of(credentials), List.of());
    }

    /** An HTTP/1.1 client that leaves redirects to {@link RegistryClient}, so credentials never follow one. */
    public static HttpClient newHttpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(15))
                .build();
    }

    public RegistryEndpoint endpoint() {
        return endpoint;
    }

    public String repository() {
        return repository;
    }

    /**
     * {@code GET /v2/} with the auth flow: the registry's status after authenticating (200 when the credentials
     * are good). Auth failures before the registry answers (no basic credentials, a token refused) throw.
     */
    public int ping() {
        HttpResponse<InputStream> response = send("GET", endpoint.v2(""), List.of(), null, List.of());
        discard(response);
        return response.statusCode();
    }

    /** The manifest under a tag or digest; a registry error throws with the registry's words. */
    public FetchedManifest manifest(String reference) {
        URI uri = endpoint.v2(repository + "/manifests/" + reference);
        HttpResponse<InputStream> response = send("GET", uri, List.of("Accept", MediaTypes.MANIFEST_ACCEPT), null, scopes);
        if (response.statusCode() != 200) {
            throw failure(response);
        }
        byte[] bytes = readLimited(response, MAX_MANIFEST, "GET", uri);
        return new FetchedManifest(bytes, response.headers().firstValue("Content-Type").orElse(""));
    }

    /** The blob's size if the repository has it ({@code HEAD}); empty on 404. */
    public Optional<Long> blobSize(Digest digest) {
        URI uri = endpoint.v2(repository + "/blobs/" + digest);
        HttpResponse<InputStream> response = send("HEAD", uri, List.of(), null, scopes);
        discard(response);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw failure(response);
        }
        return Optional.of(response.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    /** Opens the blob's body ({@code GET}, following redirects); the caller closes the stream. */
    public BlobStream openBlob(Digest digest) {
        URI uri = endpoint.v2(repository + "/blobs/" + digest);
        HttpResponse<InputStream> response = send("GET", uri, List.of(), null, scopes);
        if (response.statusCode() != 200) {
            throw failure(response);
        }
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        return new BlobStream(response.body(), length);
    }

    /** Where an upload goes on, or that the blob was mounted from another repository. */
    public sealed interface UploadStart permits Mounted, Started {
    }

    /** The registry linked the blob from another repository; nothing to upload. */
    public record Mounted() implements UploadStart {
    }

    /** An upload session; {@code location} takes the data. */
    public record Started(URI location) implements UploadStart {
    }

    /**
     * Starts an upload ({@code POST /blobs/uploads/}). With {@code mountFrom} (a repository on this registry
     * known to hold {@code digest}) it asks for a cross-repository mount first, which answers 201 when done.
     */
    public UploadStart startUpload(Optional<Digest> digest, Optional<String> mountFrom) {
        String query = "";
        List<String> wanted = scopes;
        if (digest.isPresent() && mountFrom.isPresent()) {
            query = "?mount=" + encode(digest.get().toString()) + "&from=" + encode(mountFrom.get());
            wanted = List.of(scopes.get(0), "repository:" + mountFrom.get() + ":pull");
        }
        URI uri = endpoint.v2(repository + "/blobs/uploads/" + query);
        HttpResponse<InputStream> response = send("POST", uri, List.of(), HttpRequest.BodyPublishers::noBody, wanted);
        discard(response);
        if (response.statusCode() == 201 && !query.isEmpty()) {
            return new Mounted();
        }
        if (response.statusCode() != 202) {
            throw failure(response);
        }
        return new Started(location(response, uri));
    }

    /**
     * Sends the whole stream as one {@code PATCH} (chunked transfer) and returns the location to finish at. The
     * body cannot be replayed, so a 401 here fails rather than retries; {@link #startUpload} has already
     * obtained the answer the registry wants.
     */
    public URI uploadChunk(URI location, InputStream data) {
        HttpResponse<InputStream> response = send("PATCH", location, List.of("Content-Type", "application/octet-stream"),
                onceOnly(data), scopes, false);
        discard(response);
        if (response.statusCode() != 202) {
            throw failure(response);
        }
        return location(response, location);
    }

    /** Completes an upload ({@code PUT ?digest=}), optionally with a last piece of data. */
    public void finishUpload(URI location, Digest digest, byte[] data) {
        String separator = location.getRawQuery() == null ? "?" : "&";
        URI uri = URI.create(location + separator + "digest=" + encode(digest.toString()));
        HttpResponse<InputStream> response = send("PUT", uri, List.of("Content-Type", "application/octet-stream"),
                () -> HttpRequest.BodyPublishers.ofByteArray(data), scopes);
        discard(response);
        if (response.statusCode() != 201) {
            throw failure(response);
        }
    }

    /** Uploads small content in one go (config blobs): start, then finish with the bytes. */
    public void uploadBytes(Digest digest, byte[] data) {
        UploadStart start = startUpload(Optional.empty(), Optional.empty());
        finishUpload(((Started) start).location(), digest, data);
    }

    /** Puts a manifest under a tag or digest and returns the digest the registry gives it. */
    public Digest putManifest(String reference, String mediaType, byte[] bytes) {
        URI uri = endpoint.v2(repository + "/manifests/" + reference);
        HttpResponse<InputStream> response = send("PUT", uri, List.of("Content-Type", mediaType),
                () -> HttpRequest.BodyPublishers.ofByteArray(bytes), scopes);
        discard(response);
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw failure(response);
        }
        return response.headers().firstValue("Docker-Content-Digest")
                .filter(Digest::isValid).map(Digest::parse).orElse(Digest.sha256(bytes));
    }

    // ---- transport ----

    private HttpResponse<InputStream> send(String method, URI uri, List<String> headers,
                                           Supplier<HttpRequest.BodyPublisher> body, List<String> wantedScopes) {
        return send(method, uri, headers, body, wantedScopes, true);
    }

    private HttpResponse<InputStream> send(String method, URI uri, List<String> headers,
                                           Supplier<HttpRequest.BodyPublisher> body, List<String> wantedScopes,
                                           boolean replayable) {
        String operation = operation(method, uri);
        Optional<String> authorization = auth.preemptive(wantedScopes);
        HttpResponse<InputStream> response = exchange(method, uri, headers, body, authorization, operation);
        if (response.statusCode() == 401) {
            List<AuthChallenge> challenges = AuthChallenge.parseAll(response.headers().allValues("WWW-Authenticate"));
            if (!replayable || challenges.isEmpty()) {
                return response;
            }
            String answer = auth.answer(challenges, wantedScopes, operation, authorization);
            if (authorization.isPresent() && authorization.get().equals(answer)) {
                return response; // the same answer was refused already: resending it cannot help
            }
            discard(response);
            response = exchange(method, uri, headers, body, Optional.of(answer), operation);
        }
        return response;
    }

    private HttpResponse<InputStream> exchange(String method, URI uri, List<String> headers,
                                               Supplier<HttpRequest.BodyPublisher> body,
                                               Optional<String> authorization, String operation) {
        URI target = uri;
        Optional<String> auth = authorization;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(target)
                    .timeout(method.equals("PATCH") || method.equals("PUT") ? UPLOAD_TIMEOUT : ANSWER_TIMEOUT)
                    .header("User-Agent", "tallyman");
            for (int i = 0; i < headers.size(); i += 2) {
                builder.header(headers.get(i), headers.get(i + 1));
            }
            auth.ifPresent(a -> builder.header("Authorization", a));
            builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body.get());
            HttpResponse<InputStream> response;
            try {
                response = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException | UncheckedIOException e) {
                throw new RegistryException(RegistryException.Reason.UNREACHABLE, operation + ": " + describe(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException(RegistryException.Reason.UNREACHABLE, operation + ": interrupted", e);
            }
            int status = response.statusCode();
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            if (!redirect || !(method.equals("GET") || method.equals("HEAD"))) {
                return response;
            }
            discard(response);
            if (hop >= MAX_REDIRECTS) {
                throw new RegistryException(RegistryException.Reason.PROTOCOL, operation + ": stopped after "
                        + MAX_REDIRECTS + " redirects");
            }
            URI next = location(response, target);
            // Credentials are for the registry only, never for the storage a blob is redirected to.
            if (!sameOrigin(next, uri)) {
                auth = Optional.empty();
            }
            target = next;
        }
    }

    private RegistryException failure(HttpResponse<InputStream> response) {
        byte[] body = readLimited(response, MAX_ERROR_BODY, response.request().method(), response.uri());
        List<AuthChallenge> challenges = AuthChallenge.parseAll(response.headers().allValues("WWW-Authenticate"));
        return RegistryError.of(response.statusCode(), challenges, body).exception();
    }

    private static byte[] readLimited(HttpResponse<InputStream> response, int limit, String method, URI uri) {
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new RegistryException(RegistryException.Reason.PROTOCOL,
                        operation(method, uri) + ": response larger than " + limit + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new RegistryException(RegistryException.Reason.UNREACHABLE, operation(method, uri) + ": " + describe(e), e);
        }
    }

    private static void discard(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            in.skip(Long.MAX_VALUE);
        } catch (IOException ignored) {
            // Only the status and headers matter here; a broken body just closes the connection.
        }
    }

    private static URI location(HttpResponse<InputStream> response, URI base) {
        String location = response.headers().firstValue("Location").orElseThrow(() -> new RegistryException(
                RegistryException.Reason.PROTOCOL, operation(response.request().method(), base)
                + ": registry answered " + response.statusCode() + " without a Location"));
        return base.resolve(location);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && a.getPort() == b.getPort();
    }

    private static Supplier<HttpRequest.BodyPublisher> onceOnly(InputStream data) {
        return () -> HttpRequest.BodyPublishers.ofInputStream(() -> data);
    }

    /** {@code Get "http://...": }: Go's url.Error prefix, as Docker's messages carry it. */
    static String operation(String method, URI uri) {
        String lower = method.toLowerCase(Locale.ROOT);
        return Character.toUpperCase(lower.charAt(0)) + lower.substring(1) + " \"" + uri + "\"";
    }

    /** A transport failure in Go's words where there is one. */
    static String describe(Throwable e) {
        Throwable cause = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof ConnectException) {
            return "dial tcp: connect: connection refused";
        }
        if (cause instanceof HttpTimeoutException) {
            return "net/http: request canceled (Client.Timeout exceeded while awaiting headers)";
        }
        String message = cause.getMessage();
        return message == null || message.isEmpty() ? cause.getClass().getSimpleName() : message;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
