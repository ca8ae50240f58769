package dev.tallyman.runtime.oci;

/**
 * A container description that cannot become a runnable spec: an unknown user, group or capability.
 * The message is Docker's wording (e.g. {@code unable to find user app: no matching entries in passwd file}),
 * because the docker CLI shows it as is.
 */
public class SpecificationException extends RuntimeException {
    public SpecificationException(String message) {
        super(message);
    }
}
