package dev.tallyman.spi.volume;

import java.util.List;
import java.util.Optional;

/**
 * Keeps named volumes: folders of data that outlive the containers using them, as Docker's volume drivers do.
 *
 * <p>Vocabulary. A <em>volume</em> is known by its name ({@link VolumeSpec#name()}) and holds its data at one
 * host path, its <em>mountpoint</em>, which the host bind-mounts into containers. Some volumes need a mount of
 * their own at the mountpoint before a container can use them (a tmpfs, a device, a bind of another folder):
 * the driver <em>describes</em> it ({@link VolumeMount}) and the host performs it before the first user and
 * undoes it after the last, so the host always knows what is mounted and can undo it after a crash. The driver
 * owns everything under its root folder and nothing outside it. It is safe for concurrent use on different names.
 *
 * <p>Failures are {@link dev.tallyman.spi.DriverException}s whose kind says what went wrong.
 */
public interface VolumeDriver {

    /** The driver's name as users write it ({@code docker volume create -d local}) and see it in inspect. */
    String name();

    /**
     * Creates volume {@code spec.name()} with the driver options given. Options the driver does not know fail with
     * INVALID_ARGUMENT and leave nothing behind. An existing name is returned as it is (a repeat is safe), whatever
     * options were asked for the second time, as Docker does.
     */
    VolumeInfo create(VolumeSpec spec);

    /** Facts about an existing volume, or empty when the driver has no such volume. */
    Optional<VolumeInfo> inspect(String name);

    /** Every volume the driver holds, in no particular order. */
    List<VolumeInfo> list();

    /**
     * Describes what makes volume {@code name} usable at its mountpoint. Nothing is mounted yet; an empty list of
     * mounts means the mountpoint is usable as it is. Unknown name: NOT_FOUND.
     */
    VolumeMount mount(String name);

    /**
     * Removes volume {@code name} and its data. Absent name: nothing happens (a repeat is safe). A volume whose
     * mountpoint is still mounted fails with IN_USE and keeps its data. The driver first takes the volume out of
     * its list in one atomic step, so a crash leaves it either whole or gone, never half deleted and still listed.
     */
    void remove(String name);

    /** Bytes the volume's data takes on disk, -1 when the driver cannot tell (a device it does not own). Unknown name: NOT_FOUND. */
    long usage(String name);
}
