package dev.tallyman.images.registry;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.Locale;

/**
 * {@code docker login} ({@code POST /auth}): checks credentials by asking the registry's {@code /v2/} with the
 * full auth flow, as Docker's daemon does; nothing is stored. Failures carry Docker's words, e.g.
 * {@code login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized} (Basic) or
 * {@code Get "http://127.0.0.1:5000/v2/": unauthorized: incorrect username or password} (a token service's refusal).
 */
public final class RegistryLogin {
    private static final String LEGACY_INDEX = "index.docker.io";

    private final RegistryHosts hosts;
    private final HttpClient http;

    public RegistryLogin(RegistryHosts hosts) {
        this(hosts, RegistryClient.newHttpClient());
    }

    public RegistryLogin(RegistryHosts hosts, HttpClient http) {
        this.hosts = hosts;
        this.http = http;
    }

    /**
     * Checks the credentials against the registry.
     *
     * @param serverAddress what the client sent: {@code localhost:5000}, {@code http://localhost:5000},
     *                      {@code https://index.docker.io/v1/}
     * @throws RegistryException UNAUTHORIZED for refused credentials, UNREACHABLE for a registry not answering
     */
    public LoginResult check(String serverAddress, RegistryCredentials credentials) {
        RegistryEndpoint endpoint = hosts.registry(registryHost(serverAddress));
        RegistryClient client = RegistryClient.forLogin(http, endpoint, credentials);
        int status = client.ping();
        if (status != 200) {
            URI v2 = endpoint.v2("");
            throw new RegistryException(status == 401 ? RegistryException.Reason.UNAUTHORIZED : RegistryException.Reason.PROTOCOL,
                    "login attempt to " + v2 + " failed with status: " + status + " " + RegistryError.reasonPhrase(status));
        }
        return new LoginResult("Login Succeeded", credentials.identityToken());
    }

    /** {@code host[:port]} from a server address as the CLI sends it; Docker Hub's names become docker.io. */
    public static String registryHost(String serverAddress) {
        String text = serverAddress == null ? "" : serverAddress.trim();
        int scheme = text.indexOf("://");
        if (scheme >= 0) {
            text = text.substring(scheme + 3);
        }
        int slash = text.indexOf('/');
        if (slash >= 0) {
            text = text.substring(0, slash);
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.isEmpty() || lower.equals(LEGACY_INDEX) || lower.equals("registry-1.docker.io") || lower.equals("docker.io")) {
            return "docker.io";
        }
        return lower;
    }
}
