package dev.tallyman.images;

/**
 * An image operation that failed. The message is what the user should read: Docker's wording where Docker
 * has one ({@code invalid reference format}), otherwise {@code <operation> <object>: <cause>} in lower case.
 * The {@link Kind} lets the API answer with Docker's status without parsing the message.
 */
public class ImageException extends RuntimeException {

    /** What went wrong: bad input from the user (400), a missing object (404), a clash with other objects (409), a fault of the host (500). */
    public enum Kind { INVALID_PARAMETER, NOT_FOUND, CONFLICT, SYSTEM }

    private final Kind kind;

    public ImageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ImageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public static ImageException invalid(String message) {
        return new ImageException(Kind.INVALID_PARAMETER, message);
    }

    public Kind kind() {
        return kind;
    }
}
