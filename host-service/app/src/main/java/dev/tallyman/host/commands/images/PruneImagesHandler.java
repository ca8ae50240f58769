package dev.tallyman.host.commands.images;

import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.LayerInfo;
import dev.tallyman.spi.storage.StorageDriver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * docker image prune: removes every image no container uses that has no name (dangling), or with -a every
 * image no container uses. Each removal goes through rmi's handler, so it is on the record like an rmi.
 */
public final class PruneImagesHandler {
    private final Journal journal;
    private final RemoveImageHandler remover;
    private final StorageDriver driver;

    public PruneImagesHandler(Journal journal, RemoveImageHandler remover, StorageDriver driver) {
        this.journal = journal;
        this.remover = remover;
        this.driver = driver;
    }

    /** Docker's answer: the rmi rows of every image removed and the bytes the driver freed. */
    public record Pruned(List<Map<String, String>> deleted, long spaceReclaimed) {
    }

    /**
     * @param danglingOnly Docker's {@code dangling=true} (the default); false with {@code -a}
     * @param also         the other filters (label, until), already parsed by the caller
     */
    public Pruned handle(boolean danglingOnly, Predicate<ImageView> also, CommandContext context) {
        Set<String> used = new HashSet<>(journal.projections().read(p -> p.containers().all().stream()
                .map(c -> c.spec().imageId()).toList()));
        List<ImageView> doomed = journal.projections().read(p -> List.copyOf(p.images().all())).stream()
                .filter(i -> !used.contains(i.id()))
                // As Docker: an untagged image that a build step made another image from is not dangling (it
                // is an intermediate image, and the build cache).
                .filter(i -> !danglingOnly || (isDangling(i) && !journal.projections().read(p -> p.images().hasChildren(i.id()))))
                .filter(also)
                .toList();
        Map<LayerId, Long> sizes = layerSizes();
        List<Map<String, String>> rows = new ArrayList<>();
        for (ImageView image : doomed) {
            try {
                rows.addAll(remover.handle(image.id(), true, context));
            } catch (EngineException e) {
                if (e.kind() != EngineException.Kind.NOT_FOUND && e.kind() != EngineException.Kind.CONFLICT) {
                    throw e;
                }
                // Gone meanwhile, or a container took it up since: prune leaves it, as Docker does.
            }
        }
        Map<LayerId, Long> after = layerSizes();
        long reclaimed = 0;
        for (Map.Entry<LayerId, Long> layer : sizes.entrySet()) {
            if (!after.containsKey(layer.getKey())) {
                reclaimed += layer.getValue();
            }
        }
        return new Pruned(rows, reclaimed);
    }

    /** No name and no repo digest: what docker images -f dangling=true lists. */
    public static boolean isDangling(ImageView image) {
        return image.tags().isEmpty() && image.repoDigests().isEmpty();
    }

    private Map<LayerId, Long> layerSizes() {
        Map<LayerId, Long> sizes = new HashMap<>();
        for (LayerId layer : driver.list()) {
            driver.inspect(layer).map(LayerInfo::sizeBytes).ifPresent(s -> sizes.put(layer, s));
        }
        return sizes;
    }
}
