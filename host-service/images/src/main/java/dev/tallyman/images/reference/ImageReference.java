package dev.tallyman.images.reference;

import dev.tallyman.images.ImageException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A normalized image reference, {@code domain/path[:tag][@digest]}, as Docker's distribution/reference
 * grammar defines it: {@code busybox} is {@code docker.io/library/busybox:latest}, {@code user/app} is
 * {@code docker.io/user/app:latest}, {@code localhost:5000/app:v1} keeps its domain.
 *
 * @param domain registry host with optional port, e.g. {@code docker.io}, {@code localhost:5000}
 * @param path   repository path inside the registry, e.g. {@code library/busybox}
 * @param tag    the tag, empty only when the reference names a digest or was parsed without a default tag
 * @param digest the manifest digest, when the reference pins one
 */
public record ImageReference(String domain, String path, Optional<String> tag, Optional<Digest> digest) {

    public static final String DEFAULT_DOMAIN = "docker.io";
    public static final String DEFAULT_TAG = "latest";
    private static final String LEGACY_DEFAULT_DOMAIN = "index.docker.io";
    private static final String OFFICIAL_PREFIX = "library/";
    private static final int MAX_PATH_LENGTH = 255;

    private static final String ALPHANUMERIC = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final String PATH_COMPONENT = ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*";
    private static final String REMOTE_NAME = PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN_NAME = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*";
    private static final String IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
    private static final String DOMAIN_AND_PORT = "(?:" + DOMAIN_NAME + "|" + IPV6 + ")(?::[0-9]+)?";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";

    private static final Pattern REFERENCE = Pattern.compile(
            "((?:" + DOMAIN_AND_PORT + "/)?" + REMOTE_NAME + ")(?::(" + TAG + "))?(?:@(" + DIGEST + "))?");
    private static final Pattern NAME = Pattern.compile("(?:(" + DOMAIN_AND_PORT + ")/)?(" + REMOTE_NAME + ")");
    private static final Pattern TAG_ONLY = Pattern.compile(TAG);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-f0-9]{64}");

    public ImageReference {
        if (domain == null || domain.isEmpty() || path == null || path.isEmpty()) {
            throw ImageException.invalid("repository name must have at least one component");
        }
        if (!NAME.matcher(domain + "/" + path).matches()) {
            throw ImageException.invalid("invalid reference format");
        }
        tag.ifPresent(t -> {
            if (!TAG_ONLY.matcher(t).matches()) {
                throw ImageException.invalid("invalid tag format");
            }
        });
    }

    /**
     * Parses what a user typed and normalizes it, adding {@code latest} when neither a tag nor a digest is
     * given (Docker's ParseNormalizedNamed followed by TagNameOnly). Errors carry Docker's exact text.
     */
    public static ImageReference parse(String text) {
        ImageReference ref = parseWithoutDefaultTag(text);
        if (ref.tag.isEmpty() && ref.digest.isEmpty()) {
            return ref.withTag(DEFAULT_TAG);
        }
        return ref;
    }

    /** As {@link #parse} but leaves the tag empty when none was typed: {@code docker images busybox} means every tag. */
    public static ImageReference parseWithoutDefaultTag(String text) {
        if (text == null) {
            throw ImageException.invalid("invalid reference format");
        }
        if (IDENTIFIER.matcher(text).matches()) {
            throw ImageException.invalid(
                    "invalid repository name (" + text + "), cannot specify 64-byte hexadecimal strings");
        }
        String[] split = splitDockerDomain(text);
        String domain = split[0];
        String remainder = split[1];
        int tagSeparator = remainder.indexOf(':');
        String remote = tagSeparator >= 0 ? remainder.substring(0, tagSeparator) : remainder;
        if (!remote.toLowerCase(Locale.ROOT).equals(remote)) {
            throw ImageException.invalid("invalid reference format: repository name (" + remote + ") must be lowercase");
        }
        return parseCanonical(domain + "/" + remainder);
    }

    // distribution/reference Parse: the regular expression, then the uppercase hint, then the length limit.
    private static ImageReference parseCanonical(String text) {
        Matcher m = REFERENCE.matcher(text);
        if (!m.matches()) {
            String lower = text.toLowerCase(Locale.ROOT);
            if (!lower.equals(text) && REFERENCE.matcher(lower).matches()) {
                throw ImageException.invalid("repository name must be lowercase");
            }
            throw ImageException.invalid("invalid reference format");
        }
        Matcher name = NAME.matcher(m.group(1));
        if (!name.matches() || name.group(1) == null) {
            throw ImageException.invalid("invalid reference format");
        }
        String path = name.group(2);
        if (path.length() > MAX_PATH_LENGTH) {
            throw ImageException.invalid("repository name must not be more than " + MAX_PATH_LENGTH + " characters");
        }
        Optional<Digest> digest = Optional.ofNullable(m.group(3)).map(Digest::parse);
        return new ImageReference(name.group(1), path, Optional.ofNullable(m.group(2)), digest);
    }

    // Docker's rule for telling a registry host from the first path component.
    private static String[] splitDockerDomain(String name) {
        int slash = name.indexOf('/');
        if (slash < 0) {
            return new String[] {DEFAULT_DOMAIN, OFFICIAL_PREFIX + name};
        }
        String first = name.substring(0, slash);
        String rest = name.substring(slash + 1);
        String domain;
        String remote;
        if (first.equals("localhost")) {
            domain = first;
            remote = rest;
        } else if (first.equals(LEGACY_DEFAULT_DOMAIN)) {
            domain = DEFAULT_DOMAIN;
            remote = rest;
        } else if (first.contains(".") || first.contains(":")) {
            domain = first;
            remote = rest;
        } else if (!first.toLowerCase(Locale.ROOT).equals(first)) {
            // Namespaces are lower case, so an upper-case first component can only be a host name.
            domain = first;
            remote = rest;
        } else {
            domain = DEFAULT_DOMAIN;
            remote = name;
        }
        if (domain.equals(DEFAULT_DOMAIN) && !remote.contains("/")) {
            remote = OFFICIAL_PREFIX + remote;
        }
        return new String[] {domain, remote};
    }

    /** The same repository with another tag (and no digest). */
    public ImageReference withTag(String newTag) {
        return new ImageReference(domain, path, Optional.of(newTag), Optional.empty());
    }

    /** {@code docker.io/library/busybox}: the repository's full name. */
    public String name() {
        return domain + "/" + path;
    }

    /** {@code busybox}, {@code user/app}, {@code localhost:5000/app}: the repository as Docker shows it. */
    public String familiarName() {
        if (!domain.equals(DEFAULT_DOMAIN)) {
            return name();
        }
        if (path.startsWith(OFFICIAL_PREFIX) && path.indexOf('/', OFFICIAL_PREFIX.length()) < 0) {
            return path.substring(OFFICIAL_PREFIX.length());
        }
        return path;
    }

    /** {@code busybox:latest}, {@code localhost:5000/app:v1}, {@code busybox@sha256:...}: the whole reference as Docker shows it. */
    public String familiar() {
        return familiarName() + suffix();
    }

    private String suffix() {
        return tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }

    /** The canonical form: {@code docker.io/library/busybox:latest}. */
    @Override
    public String toString() {
        return name() + suffix();
    }
}
