package dev.tallyman.host.policy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads the two policy files, each named by its own setting (TALLYMAN_AUDIT_POLICY, TALLYMAN_ACCESS_POLICY):
 * what is recorded and who may act are usually owned by different people (auditors, the security team) and
 * change at different times, as Kubernetes keeps its audit policy apart from RBAC. Both are YAML (JSON, being
 * YAML, reads too). A file that is missing, malformed or names an unknown kind, operation or level stops the
 * service at start with a message naming the file and the problem.
 */
public final class PolicyFiles {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);

    private PolicyFiles() {
    }

    public static Optional<AuditPolicy> audit(Optional<String> file) {
        return file.filter(f -> !f.isBlank()).map(f -> read(Path.of(f), AuditPolicy.class, "audit policy"));
    }

    public static Optional<AccessPolicy> access(Optional<String> file) {
        return file.filter(f -> !f.isBlank()).map(f -> read(Path.of(f), AccessPolicy.class, "access policy"));
    }

    static <T> T read(Path file, Class<T> type, String what) {
        try {
            T policy = YAML.readValue(Files.readAllBytes(file), type);
            if (policy == null) {
                throw new PolicyException(what + " " + file + ": the file is empty");
            }
            return policy;
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PolicyException p) {
                throw new PolicyException(what + " " + file + ": " + p.getMessage(), p);
            }
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new PolicyException(what + " " + file + ": " + e.getOriginalMessage() + where, e);
        } catch (IOException e) {
            throw new PolicyException(what + " " + file + ": " + e.getMessage(), e);
        }
    }
}
