package dev.tallyman.host.commands.images;

import dev.tallyman.images.build.BuildContext;
import dev.tallyman.images.reference.ImageReference;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * docker build (the classic builder), in domain terms.
 *
 * @param context     the unpacked build context
 * @param dockerfile  the Dockerfile's path in the context ({@code -f}; the CLI puts a Dockerfile from outside
 *                    the context or from stdin into the context under a name of its own)
 * @param tags        {@code -t}, each normalized
 * @param quiet       {@code -q}: no step output
 * @param buildArgs   {@code --build-arg}: an empty value stands for a name given without one
 * @param remove      {@code --rm}: remove each RUN container after its step (default true)
 * @param forceRemove {@code --force-rm}: remove them even when the build fails
 * @param target      {@code --target}: the stage to stop at, "" for the last
 * @param networkMode {@code --network} for RUN containers, "" for the default
 */
public record BuildImage(BuildContext context, String dockerfile, List<ImageReference> tags, boolean quiet,
                         boolean noCache, boolean pull, boolean remove, boolean forceRemove,
                         Map<String, Optional<String>> buildArgs, Map<String, String> labels, String target,
                         String networkMode) {
    public BuildImage {
        tags = List.copyOf(tags);
        buildArgs = Map.copyOf(buildArgs);
        labels = Map.copyOf(labels);
        dockerfile = dockerfile == null || dockerfile.isEmpty() ? "Dockerfile" : dockerfile;
        target = target == null ? "" : target;
        networkMode = networkMode == null ? "" : networkMode;
    }
}
