package dev.tallyman.host.api;

import dev.tallyman.audit.event.ContainerMount;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.host.api.json.ContainerCreateBody;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.volumes.BindSpec;
import dev.tallyman.host.projections.VolumeView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/** Mounts in Docker's shapes: the create body's Binds, Mounts and Volumes in, inspect's Mounts and HostConfig out. */
final class MountJson {
    private MountJson() {
    }

    /** What the create body asks for, in order: Binds (-v with a source), Mounts (--mount), Volumes (-v /path). */
    static List<ContainerMount> requested(ContainerCreateBody body, ContainerCreateBody.HostConfig host) {
        List<ContainerMount> mounts = new ArrayList<>();
        if (host.binds() != null) {
            host.binds().forEach(b -> mounts.add(BindSpec.parse(b)));
        }
        if (host.mounts() != null) {
            host.mounts().forEach(m -> mounts.add(fromMount(m)));
        }
        if (body.volumes() != null) {
            for (String path : new TreeMap<>(body.volumes()).keySet()) {
                boolean covered = mounts.stream().anyMatch(m -> m.destination().equals(BindSpec.clean(path)));
                if (!covered) {
                    mounts.add(new ContainerMount(ContainerMount.VOLUME, "", path, false, "", "", false, "", "volumes", ""));
                }
            }
        }
        return mounts;
    }

    private static ContainerMount fromMount(ContainerCreateBody.MountBody m) {
        String type = m.type() == null ? "" : m.type();
        String source = m.source() == null ? "" : m.source();
        String target = m.target() == null ? "" : m.target();
        return switch (type) {
            case "bind" -> {
                String propagation = m.bindOptions() == null || m.bindOptions().propagation() == null
                        || m.bindOptions().propagation().isEmpty() ? "rprivate" : m.bindOptions().propagation();
                yield new ContainerMount(type, source, target, m.readOnly(), "", propagation, false, "", "mounts", "");
            }
            case "volume" -> {
                ContainerCreateBody.VolumeOptions o = m.volumeOptions();
                ContainerMount.VolumeRequest request = null;
                if (o != null && (o.driverConfig() != null || (o.labels() != null && !o.labels().isEmpty()))) {
                    request = new ContainerMount.VolumeRequest(o.driverConfig() == null ? "" : o.driverConfig().name(),
                            o.driverConfig() == null ? null : o.driverConfig().options(), o.labels());
                }
                yield new ContainerMount(type, source, target, m.readOnly(), "", "", o != null && o.noCopy(), "", "mounts",
                        "", request);
            }
            case "tmpfs" -> {
                List<String> options = new ArrayList<>();
                if (m.tmpfsOptions() != null && m.tmpfsOptions().sizeBytes() != 0) {
                    if (m.tmpfsOptions().sizeBytes() < 0) {
                        throw EngineException.invalid("invalid mount config for type \"tmpfs\": invalid tmpfs size: "
                                + m.tmpfsOptions().sizeBytes());
                    }
                    options.add("size=" + (m.tmpfsOptions().sizeBytes() / 1024) + "k");
                }
                if (m.tmpfsOptions() != null && m.tmpfsOptions().mode() != 0) {
                    options.add("mode=" + Long.toOctalString(m.tmpfsOptions().mode() & 07777));
                }
                yield new ContainerMount(type, source, target, m.readOnly(), "", "", false, String.join(",", options), "mounts", "");
            }
            default -> throw EngineException.invalid("mount type unknown: \"" + type + "\"");
        };
    }

    /** One MountPoint as inspect and ps show it. */
    static List<Map<String, Object>> points(ContainerSpec spec, Function<String, Optional<VolumeView>> volumes) {
        List<Map<String, Object>> points = new ArrayList<>();
        for (ContainerMount m : spec.mounts()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("Type", m.type());
            if (m.mountsVolume()) {
                Optional<VolumeView> v = volumes.apply(m.source());
                p.put("Name", m.source());
                p.put("Source", v.map(VolumeView::mountpoint).orElse(""));
                p.put("Destination", m.destination());
                p.put("Driver", v.map(VolumeView::driver).orElse("local"));
            } else {
                p.put("Source", m.source());
                p.put("Destination", m.destination());
            }
            p.put("Mode", m.mode());
            p.put("RW", !m.readOnly());
            p.put("Propagation", m.propagation());
            points.add(p);
        }
        return points;
    }

    /** Fills inspect's Mounts, HostConfig.Binds/Mounts/VolumesFrom and Config.Volumes from the container's spec. */
    @SuppressWarnings("unchecked")
    static void decorate(Map<String, Object> inspect, ContainerSpec spec, Function<String, Optional<VolumeView>> volumes) {
        inspect.put("Mounts", points(spec, volumes));
        Map<String, Object> host = (Map<String, Object>) inspect.get("HostConfig");
        List<String> binds = spec.mounts().stream().filter(m -> m.origin().equals("binds")).map(ContainerMount::request).toList();
        host.put("Binds", binds.isEmpty() ? null : binds);
        List<Map<String, Object>> mounts = spec.mounts().stream().filter(m -> m.origin().equals("mounts")).map(MountJson::mountBody).toList();
        if (!mounts.isEmpty()) {
            host.put("Mounts", mounts);
        }
        host.put("VolumesFrom", spec.volumesFrom().isEmpty() ? null : spec.volumesFrom());
        Map<String, Object> config = (Map<String, Object>) inspect.get("Config");
        Map<String, Object> configVolumes = new TreeMap<>();
        spec.mounts().stream().filter(m -> m.origin().equals("volumes") || m.origin().equals("image"))
                .forEach(m -> configVolumes.put(m.destination(), Map.of()));
        config.put("Volumes", configVolumes.isEmpty() ? null : configVolumes);
    }

    /** HostConfig.Mounts as the client sent it (an anonymous volume keeps its empty Source). */
    private static Map<String, Object> mountBody(ContainerMount m) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Type", m.type());
        if (!m.type().equals(ContainerMount.TMPFS) && !m.request().equals("anonymous")) {
            body.put("Source", m.source());
        }
        body.put("Target", m.destination());
        if (m.readOnly()) {
            body.put("ReadOnly", true);
        }
        if (m.type().equals(ContainerMount.BIND) && !m.propagation().equals("rprivate")) {
            body.put("BindOptions", Map.of("Propagation", m.propagation()));
        }
        if (m.mountsVolume() && (m.noCopy() || m.volume() != null)) {
            Map<String, Object> options = new LinkedHashMap<>();
            if (m.noCopy()) {
                options.put("NoCopy", true);
            }
            if (m.volume() != null && !m.volume().labels().isEmpty()) {
                options.put("Labels", new TreeMap<>(m.volume().labels()));
            }
            if (m.volume() != null && (!m.volume().driver().isEmpty() || !m.volume().options().isEmpty())) {
                Map<String, Object> driver = new LinkedHashMap<>();
                if (!m.volume().driver().isEmpty()) {
                    driver.put("Name", m.volume().driver());
                }
                driver.put("Options", new TreeMap<>(m.volume().options()));
                options.put("DriverConfig", driver);
            }
            body.put("VolumeOptions", options);
        }
        if (m.type().equals(ContainerMount.TMPFS) && !m.tmpfsOptions().isEmpty()) {
            Map<String, Object> tmpfs = new LinkedHashMap<>();
            for (String option : m.tmpfsOptions().split(",")) {
                if (option.startsWith("size=")) {
                    tmpfs.put("SizeBytes", Long.parseLong(option.substring(5, option.length() - 1)) * 1024);
                } else if (option.startsWith("mode=")) {
                    tmpfs.put("Mode", Long.parseLong(option.substring(5), 8));
                }
            }
            body.put("TmpfsOptions", tmpfs);
        }
        return body;
    }
}
