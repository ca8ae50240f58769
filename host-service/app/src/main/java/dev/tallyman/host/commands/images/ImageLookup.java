package dev.tallyman.host.commands.images;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.images.ImageException;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageIdMatcher;
import dev.tallyman.images.reference.ImageReference;
import java.util.List;
import java.util.Optional;

/**
 * Finds the image a user meant, in Docker's order: a name with its tag ("busybox" is busybox:latest), then a
 * full or short image id. Reads the projection only.
 */
public final class ImageLookup {
    private final Projections projections;

    public ImageLookup(Projections projections) {
        this.projections = projections;
    }

    public Optional<ImageView> find(String typed) {
        return projections.read(p -> {
            Optional<ImageReference> reference = parseQuietly(typed);
            if (reference.isPresent() && reference.get().digest().isPresent()) {
                // name@sha256:… names the image pulled or pushed as that manifest (its repo digest).
                String repoDigest = new ImageReference(reference.get().domain(), reference.get().path(), Optional.empty(),
                        reference.get().digest()).familiar();
                return p.images().all().stream().filter(v -> v.repoDigests().contains(repoDigest)).findFirst();
            }
            if (reference.isPresent()) {
                Optional<ImageView> tagged = p.images().byTag(reference.get().toString());
                if (tagged.isPresent()) {
                    return tagged;
                }
            }
            List<Digest> ids = p.images().all().stream().map(v -> Digest.parse(v.id())).toList();
            return new ImageIdMatcher(ids).resolve(typed).flatMap(id -> p.images().byId(id.toString()));
        });
    }

    /** The image, or Docker's 404 naming it as Docker does ("No such image: busybox:latest"). */
    public ImageView require(String typed) {
        return find(typed).orElseThrow(() -> EngineException.noSuchImage(display(typed)));
    }

    /** How Docker names a missing image in its message: the familiar form with the default tag added. */
    static String display(String typed) {
        return parseQuietly(typed).map(ImageReference::familiar).orElse(typed);
    }

    /** Parses a reference, turning a malformed one into Docker's 400. */
    public static ImageReference parse(String typed) {
        try {
            return ImageReference.parse(typed);
        } catch (ImageException e) {
            throw EngineException.invalid(e.getMessage());
        }
    }

    /** As {@link #parse}, without adding latest: a bare name means the whole repository. */
    public static ImageReference parseWithoutDefaultTag(String typed) {
        try {
            return ImageReference.parseWithoutDefaultTag(typed);
        } catch (ImageException e) {
            throw EngineException.invalid(e.getMessage());
        }
    }

    private static Optional<ImageReference> parseQuietly(String typed) {
        try {
            return Optional.of(ImageReference.parse(typed));
        } catch (ImageException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** "docker.io/library/busybox:latest" as Docker shows it: "busybox:latest". */
    public static String familiar(String normalized) {
        return parseQuietly(normalized).map(ImageReference::familiar).orElse(normalized);
    }
}
