package dev.tallyman.host.commands;

/**
 * A failure the API answers with Docker's status code and a {@code {"message": …}} body. The message names
 * the object as the user named it, in Docker's wording where Docker has one.
 */
public class EngineException extends RuntimeException {

    /** The few kinds of failure a caller can act on; each has exactly one HTTP status. */
    public enum Kind {
        INVALID_PARAMETER, NOT_FOUND, CONFLICT, NOT_MODIFIED, UNAVAILABLE, SYSTEM, FORBIDDEN, NOT_IMPLEMENTED;

        public int status() {
            return switch (this) {
                case INVALID_PARAMETER -> 400;
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case NOT_MODIFIED -> 304;
                case UNAVAILABLE -> 503;
                case SYSTEM -> 500;
                case FORBIDDEN -> 403;
                case NOT_IMPLEMENTED -> 501;
            };
        }
    }

    private final Kind kind;
    private boolean onRecord;

    public EngineException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public EngineException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Marks a failure whose outcome event is already appended (e.g. ContainerStartFailed), so the API does not
     * record it a second time as a refusal.
     */
    public EngineException onRecord() {
        this.onRecord = true;
        return this;
    }

    public boolean isOnRecord() {
        return onRecord;
    }

    public static EngineException invalid(String message) {
        return new EngineException(Kind.INVALID_PARAMETER, message);
    }

    public static EngineException notFound(String message) {
        return new EngineException(Kind.NOT_FOUND, message);
    }

    public static EngineException conflict(String message) {
        return new EngineException(Kind.CONFLICT, message);
    }

    public static EngineException system(String message, Throwable cause) {
        return new EngineException(Kind.SYSTEM, message, cause);
    }

    public static EngineException forbidden(String message) {
        return new EngineException(Kind.FORBIDDEN, message);
    }

    public static EngineException noSuchContainer(String name) {
        return notFound("No such container: " + name);
    }

    public static EngineException noSuchImage(String name) {
        return notFound("No such image: " + name);
    }
}
