package dev.tallyman.runtime.oci;

/**
 * A resource request Docker refuses before it creates anything (its 400 "invalid parameter"); the message is
 * Docker's wording, e.g. {@code Minimum memory limit allowed is 6MB}.
 */
public class InvalidResourceException extends SpecificationException {
    public InvalidResourceException(String message) {
        super(message);
    }
}
