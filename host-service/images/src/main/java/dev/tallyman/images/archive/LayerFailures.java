package dev.tallyman.images.archive;

import dev.tallyman.images.ImageException;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.storage.LayerId;

/** Turns a driver's refusal to apply a layer into the image error the user reads. */
final class LayerFailures {
    private LayerFailures() {
    }

    /**
     * A tar the driver refused as invalid (malformed, leading outside the layer) is the user's input at fault:
     * INVALID_PARAMETER; anything else is the host's: SYSTEM.
     */
    static ImageException apply(String operation, LayerId layer, DriverException e) {
        ImageException.Kind kind = e.kind() == DriverException.Kind.INVALID_ARGUMENT
                ? ImageException.Kind.INVALID_PARAMETER
                : ImageException.Kind.SYSTEM;
        return new ImageException(kind, operation + ": apply layer " + layer + ": " + e.getMessage(), e);
    }
}
