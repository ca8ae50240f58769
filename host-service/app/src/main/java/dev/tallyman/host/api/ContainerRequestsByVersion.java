package dev.tallyman.host.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tallyman.host.commands.EngineException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

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

    /** Docker's create warning when a kernel memory limit is asked for and cannot be set (as on this host). */
    static final String KERNEL_MEMORY_DISCARDED =
            "Your kernel does not support kernel memory limit capabilities or the cgroup is not mounted. Limitation discarded.";

    /**
     * A create body as Docker 28 reads it at {@code version}: settings the version did not have are dropped,
     * combinations it did not allow are refused, in moby's words. Warnings for the answer go to {@code warnings}.
     */
    static JsonNode shapeCreate(JsonNode body, ApiVersion version, List<String> warnings) {
        if (!(body instanceof ObjectNode create)) {
            return body;
        }
        ObjectNode host = create.get("HostConfig") instanceof ObjectNode h ? h : null;
        if (host != null) {
            if (!version.atLeast(1, 25)) {
                host.put("AutoRemove", false); // before 1.25 the client removed the container itself
            }
            if (!version.atLeast(1, 42)) {
                host.remove("ConsoleSize"); // not applied on Linux before 1.42
            }
            if (version.atLeast(1, 42)) {
                host.remove("KernelMemory"); // gone in 1.42
            } else if (host.path("KernelMemory").asLong(0) > 0) {
                host.remove("KernelMemory");
                warnings.add(KERNEL_MEMORY_DISCARDED);
            }
            checkMounts(host.get("Mounts"), version);
        }
        if (!version.atLeast(1, 44) && create.get("Healthcheck") instanceof ObjectNode health) {
            health.remove("StartInterval"); // added in 1.44
        }
        JsonNode endpoints = create.path("NetworkingConfig").path("EndpointsConfig");
        if (!version.atLeast(1, 44) && endpoints.size() > 1) {
            List<String> names = new ArrayList<>();
            endpoints.fieldNames().forEachRemaining(names::add);
            throw EngineException.invalid("Container cannot be created with multiple network endpoints: " + String.join(", ", names));
        }
        if (!version.atLeast(1, 48)) {
            for (Iterator<JsonNode> it = endpoints.elements(); it.hasNext(); ) {
                if (it.next() instanceof ObjectNode endpoint) {
                    endpoint.remove("GwPriority"); // every endpoint had the same priority before 1.48
                }
            }
        }
        return create;
    }

    private static void checkMounts(JsonNode mounts, ApiVersion version) {
        for (JsonNode mount : mounts == null ? List.<JsonNode>of() : (Iterable<JsonNode>) mounts::elements) {
            String type = mount.path("Type").asText("");
            if (!version.atLeast(1, 44) && mount.path("BindOptions").path("ReadOnlyForceRecursive").asBoolean(false)) {
                throw EngineException.invalid("BindOptions.ReadOnlyForceRecursive needs API v1.44 or newer");
            }
            if (!version.atLeast(1, 45) && !mount.path("VolumeOptions").path("Subpath").asText("").isEmpty()) {
                throw EngineException.invalid("VolumeOptions.Subpath needs API v1.45 or newer");
            }
            if (!version.atLeast(1, 48) && type.equals("image")) {
                throw EngineException.invalid("Mount type \"Image\" needs API v1.48 or newer");
            }
            if (version.atLeast(1, 42)) {
                for (String[] pair : new String[][] {{"VolumeOptions", "volume"}, {"BindOptions", "bind"}, {"TmpfsOptions", "tmpfs"}}) {
                    if (mount.hasNonNull(pair[0]) && !type.equals(pair[1])) {
                        throw EngineException.invalid(pair[0] + " must not be specified on mount type \"" + type + "\"");
                    }
                }
            }
        }
    }
}
