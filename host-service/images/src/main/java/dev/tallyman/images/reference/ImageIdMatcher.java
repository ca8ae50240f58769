package dev.tallyman.images.reference;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the image id a user meant among known ids: {@code sha256:<hex>}, the bare hex, or any unique prefix
 * of the hex, with or without {@code sha256:} (as Docker's short ids in {@code docker images} are).
 * An ambiguous prefix matches nothing, as in Docker, which then tries the text as a name.
 */
public final class ImageIdMatcher {
    private static final Pattern HEX_PREFIX = Pattern.compile("[a-f0-9]{1,64}");

    private final List<Digest> ids;

    public ImageIdMatcher(Collection<Digest> ids) {
        this.ids = List.copyOf(ids);
    }

    /** The one id the text names, or empty when it names none or more than one. */
    public Optional<Digest> resolve(String typed) {
        List<Digest> found = candidates(typed);
        return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
    }

    /** Every known id the text could name; empty when the text cannot be an id at all. */
    public List<Digest> candidates(String typed) {
        if (typed == null) {
            return List.of();
        }
        String hex = typed.startsWith(Digest.SHA256 + ":") ? typed.substring(Digest.SHA256.length() + 1) : typed;
        if (!HEX_PREFIX.matcher(hex).matches()) {
            return List.of();
        }
        return ids.stream().filter(id -> id.hex().startsWith(hex)).distinct().toList();
    }
}
