package dev.tallyman.host.policy;

import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The policy files in effect: {@code tallyman.audit-policy} (TALLYMAN_AUDIT_POLICY) and
 * {@code tallyman.access-policy} (TALLYMAN_ACCESS_POLICY), each a path, each optional. Without either, no
 * request meets a policy and every answer and record is as before policies existed.
 */
public record PolicySettings(Optional<AuditPolicy> audit, Optional<AccessPolicy> access) {

    /** Reads both files; a bad one throws {@link PolicyException} naming the file and the problem. */
    public static PolicySettings load() {
        var config = ConfigProvider.getConfig();
        return new PolicySettings(PolicyFiles.audit(config.getOptionalValue("tallyman.audit-policy", String.class)),
                PolicyFiles.access(config.getOptionalValue("tallyman.access-policy", String.class)));
    }

    public boolean any() {
        return audit.isPresent() || access.isPresent();
    }
}
