package dev.tallyman.host.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tallyman.audit.event.RegistryEvent.RegistryLoggedIn;
import dev.tallyman.audit.event.RegistryEvent.RegistryLoginFailed;
import dev.tallyman.audit.event.RegistryEvent.RegistryLoginRequested;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.images.PullImageHandler;
import dev.tallyman.host.commands.images.PushImageHandler;
import dev.tallyman.host.commands.images.RegistryAuth;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.registry.LoginResult;
import dev.tallyman.images.registry.PushedImage;
import dev.tallyman.images.registry.RegistryCredentials;
import dev.tallyman.images.registry.RegistryException;
import dev.tallyman.images.registry.RegistryHosts;
import dev.tallyman.images.registry.RegistryLogin;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Registries: pull (POST /images/create?fromImage=), push, login (POST /auth) and search. Credentials come in the
 * X-Registry-Auth header or the /auth body and go only to the registry: never into an event, log line or message.
 */
public final class RegistryApi {
    private static final String AUTH_HEADER = "X-Registry-Auth";

    private final PullImageHandler puller;
    private final PushImageHandler pusher;
    private final RegistryLogin login;
    private final RegistryHosts hosts;
    private final Journal journal;

    public RegistryApi(PullImageHandler puller, PushImageHandler pusher, RegistryLogin login, RegistryHosts hosts,
                       Journal journal) {
        this.puller = puller;
        this.pusher = pusher;
        this.login = login;
        this.hosts = hosts;
        this.journal = journal;
    }

    /** POST /images/create is registered by {@link ImageApi}, which hands pulls to {@link #pull}. */
    public void register(ApiRouter router) {
        router.post("/images/:name*/push", this::push);
        router.postJson("/auth", this::auth);
        router.get("/images/search", this::search);
    }

    /** docker pull: progress as Docker's JSON stream; a failure after the first line is told in the stream. */
    public void pull(ApiRequest request) {
        ImageReference reference = PullImageHandler.referenceOf(request.query("fromImage", ""), request.query("tag", ""));
        request.query("platform").filter(p -> !p.isBlank()).ifPresent(RegistryApi::checkPlatform);
        Optional<RegistryCredentials> credentials = RegistryAuth.fromHeader(request.routing().request().getHeader(AUTH_HEADER));
        ProgressStream stream = new ProgressStream(request);
        try {
            puller.handle(reference, credentials, stream, request.commandContext());
        } catch (EngineException e) {
            if (!stream.started()) {
                throw e;
            }
            stream.error(e.getMessage());
        }
        stream.end();
    }

    static void checkPlatform(String platform) {
        String p = platform.toLowerCase(java.util.Locale.ROOT);
        if (!(p.equals("linux") || p.equals("linux/amd64") || p.equals("amd64") || p.startsWith("linux/amd64/"))) {
            throw EngineException.invalid("image platform " + platform + " is not supported: this host runs linux/amd64 only");
        }
    }

    /** docker push: every tag named, each ending with Docker's aux message {"Tag","Digest","Size"}. */
    private void push(ApiRequest request) {
        Map<ImageReference, ImageView> targets = pusher.resolve(request.path("name"), request.query("tag", ""));
        Optional<RegistryCredentials> credentials = RegistryAuth.fromHeader(request.routing().request().getHeader(AUTH_HEADER));
        ProgressStream stream = new ProgressStream(request);
        try {
            for (Map.Entry<ImageReference, ImageView> target : targets.entrySet()) {
                PushedImage pushed = pusher.push(target.getKey(), target.getValue(), credentials, stream, request.commandContext());
                Map<String, Object> aux = new LinkedHashMap<>();
                aux.put("Tag", pushed.tag());
                aux.put("Digest", pushed.manifestDigest().toString());
                aux.put("Size", pushed.manifestSize());
                stream.aux(aux);
            }
        } catch (EngineException e) {
            if (!stream.started()) {
                throw e;
            }
            stream.error(e.getMessage());
        }
        stream.end();
    }

    /**
     * docker login: checks the credentials against the registry, as Docker's daemon does; the CLI stores them.
     * Refused credentials are Docker's 401, on the record by server address only.
     */
    private void auth(ApiRequest request) {
        JsonNode body = request.body(JsonNode.class);
        String server = RegistryAuth.serverAddress(body);
        RegistryCredentials credentials = RegistryAuth.fromJson(body)
                .orElseThrow(() -> EngineException.invalid("Error: Non-null Username Required"));
        String host;
        try {
            host = RegistryLogin.registryHost(server);
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid(e.getMessage());
        }
        // Who tried which registry as whom is on the record; the password never is.
        StreamId stream = StreamId.registry(host);
        String user = credentials.username() == null ? "" : credentials.username();
        journal.append(stream, ExpectedVersion.any(), new RegistryLoginRequested(host, user), request.commandContext());
        LoginResult result;
        try {
            result = login.check(server, credentials);
        } catch (RegistryException e) {
            int status = e.reason() == RegistryException.Reason.UNAUTHORIZED ? 401 : 500;
            journal.append(stream, ExpectedVersion.any(), new RegistryLoginFailed(host, user, e.getMessage()),
                    request.commandContext());
            request.json(status, Map.of("message", e.getMessage()));
            return;
        } catch (RuntimeException e) {
            journal.append(stream, ExpectedVersion.any(), new RegistryLoginFailed(host, user, String.valueOf(e.getMessage())),
                    request.commandContext());
            throw (e instanceof IllegalArgumentException ? EngineException.invalid(e.getMessage())
                    : EngineException.system(e.getMessage(), e)).onRecord();
        }
        journal.append(stream, ExpectedVersion.any(), new RegistryLoggedIn(host, user), request.commandContext());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("Status", result.status());
        answer.put("IdentityToken", result.identityToken().orElse(""));
        request.json(200, answer);
    }

    /**
     * docker search: Docker asks Docker Hub's v1 index, which this host cannot reach, and the Registry HTTP API v2
     * (which every registry here speaks) has no search. The answer says so, naming the registry asked.
     */
    private void search(ApiRequest request) {
        String term = request.query("term", "");
        String registry = ImageReference.DEFAULT_DOMAIN;
        int slash = term.indexOf('/');
        if (slash > 0) {
            String first = term.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
            }
        }
        String served = "";
        if (registry.equals(ImageReference.DEFAULT_DOMAIN) && !hosts.registryMirrors().isEmpty()) {
            served = " (docker.io names are served here by the mirror " + hosts.registryMirrors().stream()
                    .map(URI::toString).reduce((a, b) -> a + ", " + b).orElse("") + ")";
        }
        throw new EngineException(EngineException.Kind.UNAVAILABLE, "search " + term + ": registry " + registry + served
                + " has no search: the Registry HTTP API v2 defines none, and Docker Hub's v1 search index is not reachable from this host");
    }
}
