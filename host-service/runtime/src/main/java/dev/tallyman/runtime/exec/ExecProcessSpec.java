package dev.tallyman.runtime.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tallyman.runtime.oci.ContainerUser;
import dev.tallyman.runtime.oci.SpecificationException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OCI process ({@code runc exec --process}) for an exec: the container's own process (capabilities,
 * rlimits, no_new_privs, user and directory) with the exec's command, terminal and additions, as Docker builds it.
 */
final class ExecProcessSpec {
    private ExecProcessSpec() {
    }

    /**
     * @param containerProcess the {@code process} object of the container's config.json
     * @param rootfs the container's rootfs as the host sees it, to resolve {@code -u} names
     * @throws SpecificationException when a named user or group is not in the container's files
     */
    static ObjectNode build(ObjectNode containerProcess, Path rootfs, ExecSpec spec) {
        ObjectNode process = containerProcess.deepCopy();
        process.put("terminal", spec.tty());
        process.remove("consoleSize");
        ArrayNode args = process.putArray("args");
        spec.args().forEach(args::add);

        List<String> env = new ArrayList<>();
        containerProcess.path("env").forEach(entry -> env.add(entry.asText()));
        if (spec.tty()) {
            // First, as in Docker's order: a TERM of the container's own comes later and wins.
            env.add(0, "TERM=xterm");
        }
        ArrayNode envNode = process.putArray("env");
        environment(env, spec.env()).forEach(envNode::add);

        if (!spec.workingDir().isEmpty()) {
            process.put("cwd", spec.workingDir());
        }
        if (!spec.user().isEmpty()) {
            ContainerUser user = ContainerUser.resolve(rootfs, spec.user());
            ObjectNode node = process.putObject("user");
            node.put("uid", user.uid());
            node.put("gid", user.gid());
            if (!user.additionalGids().isEmpty()) {
                ArrayNode gids = node.putArray("additionalGids");
                user.additionalGids().forEach(gids::add);
            }
        }
        return process;
    }

    /**
     * Docker's replace-or-append: an added {@code KEY=value} replaces the base entry for KEY in place or is
     * appended; an added bare {@code KEY} removes it.
     */
    static List<String> environment(List<String> base, List<String> added) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (String entry : base) {
            int eq = entry.indexOf('=');
            merged.put(eq < 0 ? entry : entry.substring(0, eq), entry);
        }
        for (String entry : added) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                merged.remove(entry);
            } else if (eq > 0) {
                merged.put(entry.substring(0, eq), entry);
            }
        }
        return List.copyOf(merged.values());
    }

    /** The container rootfs named by config.json's {@code root.path}, which may be relative to the bundle. */
    static Path rootfs(JsonNode config, Path bundle) {
        return bundle.resolve(config.path("root").path("path").asText("rootfs"));
    }
}
