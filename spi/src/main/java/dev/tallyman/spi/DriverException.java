package dev.tallyman.spi;

/**
 * A driver operation that failed. The message reads {@code <driver>: <operation> <object>: <cause>},
 * lower case, as the rest of Tallyman's internal errors do.
 */
public class DriverException extends RuntimeException {

    /** What went wrong, so that callers can answer the user without parsing messages. */
    public enum Kind { NOT_FOUND, ALREADY_EXISTS, IN_USE, INVALID_ARGUMENT, SYSTEM }

    private final Kind kind;
    private final String driver;
    private final String operation;
    private final String objectId;

    public DriverException(Kind kind, String driver, String operation, String objectId, String cause) {
        super(driver + ": " + operation + " " + objectId + ": " + cause);
        this.kind = kind;
        this.driver = driver;
        this.operation = operation;
        this.objectId = objectId;
    }

    public DriverException(Kind kind, String driver, String operation, String objectId, Throwable cause) {
        super(driver + ": " + operation + " " + objectId + ": " + cause.getMessage(), cause);
        this.kind = kind;
        this.driver = driver;
        this.operation = operation;
        this.objectId = objectId;
    }

    public Kind kind() { return kind; }
    public String driver() { return driver; }
    public String operation() { return operation; }
    public String objectId() { return objectId; }
}
