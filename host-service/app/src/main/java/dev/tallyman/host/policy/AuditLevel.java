package dev.tallyman.host.policy;

/**
 * How much of a request the record keeps, named as in Kubernetes' audit policy. A write's intent and outcome are
 * recorded at every level (they are the state); the level decides what is kept besides.
 */
public enum AuditLevel {
    /** Reads leave nothing; writes leave their intents and outcomes only. */
    None,
    /** Reads leave an {@code audit.read} event naming actor, object and operation. */
    Metadata,
    /** As Metadata, plus the request body (secrets redacted); writes get an {@code audit.request} event with it. */
    Request;

    static AuditLevel parse(String text, String at) {
        for (AuditLevel level : values()) {
            if (level.name().equals(text)) {
                return level;
            }
        }
        throw new PolicyException(at + ": level must be None, Metadata or Request, not '" + text + "'");
    }
}
