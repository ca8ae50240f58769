package dev.tallyman.host.policy;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a create request asks for that access rules can forbid, read from the body the client sent (a container
 * create's HostConfig, an exec create's Privileged).
 *
 * @param privileged --privileged
 * @param hostBinds a host path mounted in: a Binds entry whose source is absolute, or a Mounts entry of type bind
 * @param hostNetwork --network host
 */
public record RequestFacts(boolean privileged, boolean hostBinds, boolean hostNetwork) {
    public static final RequestFacts NONE = new RequestFacts(false, false, false);

    public static RequestFacts of(JsonNode body) {
        if (body == null || !body.isObject()) {
            return NONE;
        }
        JsonNode host = body.path("HostConfig");
        boolean privileged = body.path("Privileged").asBoolean(false) || host.path("Privileged").asBoolean(false);
        boolean binds = false;
        for (JsonNode bind : host.path("Binds")) {
            binds |= bind.asText().startsWith("/");
        }
        for (JsonNode mount : host.path("Mounts")) {
            binds |= "bind".equals(mount.path("Type").asText());
        }
        return new RequestFacts(privileged, binds, "host".equals(host.path("NetworkMode").asText()));
    }
}
