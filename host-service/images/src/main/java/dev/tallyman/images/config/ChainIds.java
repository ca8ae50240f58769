package dev.tallyman.images.config;

import dev.tallyman.images.reference.Digest;
import dev.tallyman.spi.storage.LayerId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Chain ids name a layer together with everything below it (OCI image spec, "Layer ChainID"):
 * {@code chain(L0) = diff(L0)}, {@code chain(Ln) = sha256(chain(Ln-1) + " " + diff(Ln))}. Two images whose
 * bottom layers are equal get the same chain ids for them, so the storage driver keeps those layers once.
 */
public final class ChainIds {
    private ChainIds() {
    }

    /** The chain id of every layer, base first. */
    public static List<Digest> of(List<Digest> diffIds) {
        List<Digest> chain = new ArrayList<>(diffIds.size());
        Digest previous = null;
        for (Digest diffId : diffIds) {
            previous = previous == null ? diffId : next(previous, diffId);
            chain.add(previous);
        }
        return List.copyOf(chain);
    }

    /** The chain id of a layer stacked on the layer whose chain id is {@code parent}. */
    public static Digest next(Digest parent, Digest diffId) {
        return Digest.sha256((parent + " " + diffId).getBytes(StandardCharsets.US_ASCII));
    }

    /** The storage driver's name for the layer with this chain id: its hex. */
    public static LayerId layerId(Digest chainId) {
        return LayerId.of(chainId.hex());
    }

    /** The storage driver's names for an image's layers, base first. */
    public static List<LayerId> layerIds(List<Digest> diffIds) {
        return of(diffIds).stream().map(ChainIds::layerId).toList();
    }
}
