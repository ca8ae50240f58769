package dev.tallyman.host.commands.volumes;

import dev.tallyman.audit.event.ContainerMount;
import dev.tallyman.audit.event.VolumeEvent.VolumeMounted;
import dev.tallyman.audit.event.VolumeEvent.VolumeUnmounted;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.VolumeView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * A container's volumes on the record: which mounts it gets at create (its requests, --volumes-from, the image's
 * VOLUMEs), the volumes made for it, their mount and unmount at each run, and the anonymous ones removed with it.
 */
public final class ContainerVolumes {
    private static final Logger LOG = Logger.getLogger(ContainerVolumes.class);

    private final Journal journal;
    private final ContainerFinder finder;
    private final CreateVolumeHandler create;
    private final RemoveVolumeHandler remove;

    public ContainerVolumes(Journal journal, ContainerFinder finder, CreateVolumeHandler create, RemoveVolumeHandler remove) {
        this.journal = journal;
        this.finder = finder;
        this.create = create;
        this.remove = remove;
    }

    /**
     * Checks the requested mounts and completes them: names for anonymous volumes, the mounts of --volumes-from
     * containers, then an anonymous volume for each image VOLUME no other mount covers. Changes nothing.
     */
    public List<ContainerMount> resolve(List<ContainerMount> requested, List<String> volumesFrom,
                                        Collection<String> imageVolumes, Collection<String> tmpfsPaths) {
        List<ContainerMount> mounts = new ArrayList<>();
        Set<String> destinations = new HashSet<>();
        tmpfsPaths.forEach(p -> destinations.add(BindSpec.clean(p)));
        for (ContainerMount m : requested) {
            BindSpec.checkDestination(m.type(), m.destination());
            ContainerMount checked = m;
            if (m.type().equals(ContainerMount.BIND)) {
                if (m.source().isEmpty()) {
                    throw EngineException.invalid("invalid mount config for type \"bind\": field Source must not be empty");
                }
                if (!m.source().startsWith("/")) {
                    throw EngineException.invalid("invalid mount config for type \"bind\": invalid mount path: '"
                            + m.source() + "' mount path must be absolute");
                }
                if (m.origin().equals("mounts") && !Files.exists(Path.of(m.source()))) {
                    throw EngineException.invalid("invalid mount config for type \"bind\": bind source path does not exist: " + m.source());
                }
            } else if (m.mountsVolume()) {
                if (m.source().isEmpty()) {
                    checked = named(m, VolumeNames.random(), m.origin().equals("mounts") ? "anonymous" : m.request());
                } else {
                    VolumeNames.check(m.source());
                }
            } else if (m.type().equals(ContainerMount.TMPFS)) {
                if (!m.source().isEmpty()) {
                    throw EngineException.invalid("invalid mount config for type \"tmpfs\": field Source must not be specified");
                }
            } else {
                throw EngineException.invalid("mount type unknown: \"" + m.type() + "\"");
            }
            if (!destinations.add(BindSpec.clean(m.destination()))) {
                throw EngineException.invalid("Duplicate mount point: " + BindSpec.clean(m.destination()));
            }
            mounts.add(checked);
        }
        for (String from : volumesFrom) {
            String[] parts = from.split(":", -1);
            String mode = parts.length > 1 ? parts[1] : "";
            if (parts.length > 2 || !(mode.isEmpty() || mode.equals("ro") || mode.equals("rw"))) {
                throw EngineException.invalid("invalid mode: " + mode);
            }
            ContainerView source = finder.require(parts[0]);
            for (ContainerMount m : source.spec().mounts()) {
                if (m.type().equals(ContainerMount.TMPFS) || !destinations.add(m.destination())) {
                    continue;
                }
                boolean readOnly = mode.isEmpty() ? m.readOnly() : mode.equals("ro");
                mounts.add(new ContainerMount(m.type(), m.source(), m.destination(), readOnly, mode.isEmpty() ? m.mode() : mode,
                        m.propagation(), m.noCopy(), m.tmpfsOptions(), "volumes-from", "", null));
            }
        }
        for (String path : imageVolumes) {
            String destination = BindSpec.clean(path);
            if (destinations.add(destination)) {
                mounts.add(new ContainerMount(ContainerMount.VOLUME, VolumeNames.random(), destination, false, "", "", false,
                        "", "image", ""));
            }
        }
        return mounts;
    }

    private static ContainerMount named(ContainerMount m, String name, String request) {
        return new ContainerMount(m.type(), name, m.destination(), m.readOnly(), m.mode(), m.propagation(), m.noCopy(),
                m.tmpfsOptions(), m.origin(), request, m.volume());
    }

    /** Creates the volumes the mounts name that do not exist yet; those made for no name are marked anonymous. */
    public void createVolumes(List<ContainerMount> mounts, CommandContext context) {
        Set<String> done = new LinkedHashSet<>();
        for (ContainerMount m : mounts) {
            if (!m.mountsVolume() || !done.add(m.source())) {
                continue;
            }
            boolean exists = journal.projections().read(p -> p.volumes().byName(m.source()).isPresent());
            if (!exists) {
                boolean anonymous = m.origin().equals("volumes") || m.origin().equals("image")
                        || (m.origin().equals("mounts") && m.request().equals("anonymous"));
                ContainerMount.VolumeRequest asked = m.volume() == null
                        ? new ContainerMount.VolumeRequest("", Map.of(), Map.of()) : m.volume();
                Map<String, String> labels = new java.util.TreeMap<>(asked.labels());
                if (anonymous) {
                    labels.put(VolumeView.ANONYMOUS_LABEL, "");
                }
                create.handle(new CreateVolume(Optional.of(m.source()), asked.driver(), asked.options(), labels), context);
            }
        }
    }

    /** Docker's volume mount events for a run that began. */
    public void mounted(String containerId, List<ContainerMount> mounts, CommandContext context) {
        for (ContainerMount m : mounts) {
            if (m.mountsVolume()) {
                journal.append(StreamId.volume(m.source()), ExpectedVersion.any(), new VolumeMounted(m.source(),
                        driverOf(m.source()), containerId, m.destination(), !m.readOnly(), m.propagation()), context);
            }
        }
    }

    /** Docker's volume unmount events for a run that ended. */
    public void unmounted(String containerId, List<ContainerMount> mounts, CommandContext context) {
        for (ContainerMount m : mounts) {
            if (m.mountsVolume() && journal.projections().read(p -> p.volumes().byName(m.source()).isPresent())) {
                journal.append(StreamId.volume(m.source()), ExpectedVersion.any(),
                        new VolumeUnmounted(m.source(), driverOf(m.source()), containerId), context);
            }
        }
    }

    /**
     * docker rm -v and run --rm: the container's anonymous volumes go with it, unless another container uses them
     * (through --volumes-from). Named volumes stay. A failure is on the record as VolumeRemoveFailed.
     */
    public void removeAnonymous(List<ContainerMount> mounts, CommandContext context) {
        for (ContainerMount m : mounts) {
            if (!m.mountsVolume()) {
                continue;
            }
            boolean anonymousAndFree = journal.projections().read(p -> p.volumes().byName(m.source())
                    .map(v -> v.anonymous() && VolumeUsers.of(p, v.name()).isEmpty()).orElse(false));
            if (anonymousAndFree) {
                try {
                    remove.handle(m.source(), true, context);
                } catch (EngineException e) {
                    LOG.warnf("remove anonymous volume %s: %s", m.source(), e.getMessage());
                }
            }
        }
    }

    private String driverOf(String name) {
        return journal.projections().read(p -> p.volumes().byName(name).map(VolumeView::driver).orElse(VolumeDrivers.DEFAULT));
    }
}
