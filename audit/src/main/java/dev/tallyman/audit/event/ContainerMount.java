package dev.tallyman.audit.event;

/**
 * One mount a container was created with: a host folder, a volume or a tmpfs, resolved at create from
 * {@code -v}, {@code --mount}, {@code --volumes-from} and the image's VOLUMEs.
 *
 * @param type "bind", "volume" or "tmpfs"
 * @param source the host path of a bind, the name of a volume, "" for a tmpfs
 * @param destination the absolute path in the container
 * @param readOnly mounted read-only
 * @param mode the mode text as the user gave it after the second colon of {@code -v} ("ro", "rw,z"), else ""
 * @param propagation the bind propagation ("rprivate" by default), "" for volumes and tmpfs
 * @param noCopy do not copy the image's content into an empty volume
 * @param tmpfsOptions a tmpfs' mount options ("size=65536k,mode=1770"), else ""
 * @param origin where it came from: "binds" (-v), "mounts" (--mount), "volumes" (-v /path), "image" (VOLUME),
 *               "volumes-from"
 * @param request the -v text for origin "binds"; "anonymous" for a --mount volume given no source; else ""
 * @param volume how to create the volume when it does not exist yet (--mount's volume-driver, volume-opt,
 *               volume-label); null when not given, and in older events
 */
public record ContainerMount(String type, String source, String destination, boolean readOnly, String mode,
                             String propagation, boolean noCopy, String tmpfsOptions, String origin, String request,
                             VolumeRequest volume) {

    /** The driver, driver options and labels --mount asks a new volume to have. */
    public record VolumeRequest(String driver, java.util.Map<String, String> options, java.util.Map<String, String> labels) {
        public VolumeRequest {
            driver = driver == null ? "" : driver;
            options = options == null ? java.util.Map.of() : java.util.Map.copyOf(options);
            labels = labels == null ? java.util.Map.of() : java.util.Map.copyOf(labels);
        }
    }

    /** A mount without volume creation options. */
    public ContainerMount(String type, String source, String destination, boolean readOnly, String mode,
                          String propagation, boolean noCopy, String tmpfsOptions, String origin, String request) {
        this(type, source, destination, readOnly, mode, propagation, noCopy, tmpfsOptions, origin, request, null);
    }

    public static final String BIND = "bind";
    public static final String VOLUME = "volume";
    public static final String TMPFS = "tmpfs";

    public ContainerMount {
        mode = mode == null ? "" : mode;
        propagation = propagation == null ? "" : propagation;
        tmpfsOptions = tmpfsOptions == null ? "" : tmpfsOptions;
        origin = origin == null ? "" : origin;
        request = request == null ? "" : request;
    }

    public boolean mountsVolume() {
        return VOLUME.equals(type);
    }
}
