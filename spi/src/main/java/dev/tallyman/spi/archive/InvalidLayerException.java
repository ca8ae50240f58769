package dev.tallyman.spi.archive;

import java.io.IOException;

/** The layer tar itself is at fault: malformed, truncated, or an entry that would land outside the layer. */
public class InvalidLayerException extends IOException {
    public InvalidLayerException(String message) {
        super(message);
    }
}
