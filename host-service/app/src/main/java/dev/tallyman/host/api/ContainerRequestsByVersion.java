package dev.tallyman.host.api;

import dev.tallyman.host.commands.EngineException;

/**
 * Request parameters of the container routes whose meaning depends on the API version a client asks for (moby's
 * version history), in one place. An older client may send a parameter its version did not have (a proxy, a
 * library built for a newer version); Docker ignores it, so Tallyman does too.
 */
final class ContainerRequestsByVersion {
    /** Docker's refusal of a start body; "{}" and "null" (and any body up to 7 bytes) pass, as with Docker. */
    static final String START_BODY_REFUSED =
            "starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24";

    private ContainerRequestsByVersion() {
    }

    /** stop and restart take a signal from 1.42; before that the container's stop signal is used. */
    static String stopSignal(ApiRequest request) {
        return request.version().atLeast(1, 42) ? request.query("signal", "") : "";
    }

    /** wait takes a condition from 1.30; before that it always waits for the container to stop running. */
    static String waitCondition(ApiRequest request) {
        return request.version().atLeast(1, 30) ? request.query("condition", "not-running") : "not-running";
    }

    /** Start's HostConfig body went away in 1.24, the oldest version served: a body with content is refused. */
    static void checkStartBody(ApiRequest request) {
        // The length the client announced, as Docker checks it; the body itself is not read (start takes none).
        String length = request.routing().request().getHeader("Content-Length");
        try {
            checkStartBody(length == null ? 0 : Integer.parseInt(length.trim()));
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid Content-Length: " + length);
        }
    }

    static void checkStartBody(int length) {
        if (length > 7) {
            throw EngineException.invalid(START_BODY_REFUSED);
        }
    }

    /**
     * create takes a platform from 1.41, and then one this host cannot run is refused as a pull for it is; before
     * 1.41 Docker ignores the parameter.
     */
    static void checkCreatePlatform(ApiRequest request) {
        if (request.version().atLeast(1, 41)) {
            request.query("platform").filter(p -> !p.isBlank()).ifPresent(RegistryApi::checkPlatform);
        }
    }
}
