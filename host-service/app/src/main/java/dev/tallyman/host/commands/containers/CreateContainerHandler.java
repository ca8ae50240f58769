package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerCreateFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerCreateRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerCreated;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.images.config.ContainerConfig;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * docker create: checks the request, records the intent with everything the container will run with (the
 * image's defaults merged with the request), makes its writable layer, records the outcome.
 */
public final class CreateContainerHandler {
    private final Journal journal;
    private final ImageLookup images;
    private final ImageStore imageStore;
    private final StorageDriver storage;
    private final ContainerNetworkChoice.Chooser networks;
    private dev.tallyman.host.commands.volumes.ContainerVolumes volumes;

    public CreateContainerHandler(Journal journal, ImageLookup images, ImageStore imageStore, StorageDriver storage) {
        this(journal, images, imageStore, storage, null);
    }

    /** @param networks resolves --network and the endpoint options against the recorded networks; null: host/none only */
    public CreateContainerHandler(Journal journal, ImageLookup images, ImageStore imageStore, StorageDriver storage,
                                  ContainerNetworkChoice.Chooser networks) {
        this.networks = networks;
        this.journal = journal;
        this.images = images;
        this.imageStore = imageStore;
        this.storage = storage;
    }

    /** Mounts (-v, --mount, --volumes-from, image VOLUMEs) are resolved and their volumes made by these; without, none. */
    public void mountVolumesWith(dev.tallyman.host.commands.volumes.ContainerVolumes containerVolumes) {
        this.volumes = containerVolumes;
    }

    /** @return the new container's id */
    public String handle(CreateContainer command, CommandContext context) {
        return handle(command, dev.tallyman.audit.event.ContainerOptions.DEFAULT, context);
    }

    /** @param options the settings beyond {@link CreateContainer}'s: log driver, --group-add */
    public String handle(CreateContainer command, dev.tallyman.audit.event.ContainerOptions options, CommandContext context) {
        LogDrivers.validate(options.logDriver());
        StorageOptions.validate(storage, options.storageOpt());
        ContainerNetworkChoice network = networks == null ? ContainerNetworkChoice.legacy(networkMode(command.networkMode()))
                : networks.choose(command);
        String networkMode = network.mode();
        RestartPolicies.validate(command.restartPolicy(), command.autoRemove());
        ImageLookup.parse(command.image());
        ImageView image = images.require(command.image());
        ImageConfig imageConfig = imageStore.config(Digest.parse(image.id()));
        ContainerSpec requested = specOf(command, image, imageConfig.config(), networkMode, storage.name());
        ContainerSpec.ContainerLimits checked;
        try {
            checked = dev.tallyman.host.runtime.RunOptions.validate(requested);
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid(e.getMessage());
        }
        ContainerSpec limited = withLimits(requested, checked)
                .withNetworking(networkMode, network.memberships(), command.portBindings(), command.publishAllPorts(),
                        network.exposedPorts(imageConfig.config().exposedPorts(), command));
        ContainerSpec spec = volumes == null ? limited : limited.withMounts(volumes.resolve(command.mounts(),
                command.volumesFrom(), imageConfig.config().volumes(), limited.tmpfs().keySet()), command.volumesFrom());
        if (network.hostname().isPresent() && spec.hostname().isEmpty()) {
            spec = spec.withHostname(network.hostname().get());
        }
        spec = spec.withOptions(options.withHealth(HealthChecks.inEffect(options.health(), imageConfig.config().healthcheck()))
                .withLinks(ContainerLinks.resolve(options.links(), networkMode, journal.projections())));
        ContainerSpec chosenSpec = spec;
        if (chosenSpec.entrypoint().isEmpty() && chosenSpec.cmd().isEmpty()) {
            throw EngineException.invalid("no command specified");
        }
        String id = ContainerNames.newId();
        String name = journal.atomically(() -> {
            String chosen = command.name().map(ContainerNames::validate)
                    .orElseGet(() -> ContainerNames.generate(n -> journal.projections().read(p -> p.containers().idOfName(n).isPresent())));
            journal.projections().read(p -> p.containers().idOfName(chosen)).ifPresent(owner -> {
                throw ContainerNames.nameInUse(chosen, owner);
            });
            journal.append(StreamId.container(id), ExpectedVersion.noStream(),
                    new ContainerCreateRequested(id, chosen, chosenSpec.hostname().isEmpty() ? chosenSpec.withHostname(id.substring(0, 12)) : chosenSpec), context);
            return chosen;
        });
        try {
            if (volumes != null) {
                volumes.createVolumes(spec.mounts(), context);
            }
            List<LayerId> layers = imageStore.layers(Digest.parse(image.id()));
            StorageOptions.createWritable(storage, LayerId.of(id),
                    layers.isEmpty() ? Optional.empty() : Optional.of(layers.get(layers.size() - 1)), options.storageOpt());
        } catch (DriverException | dev.tallyman.images.ImageException | EngineException e) {
            journal.append(StreamId.container(id), ExpectedVersion.exactly(0), new ContainerCreateFailed(id, e.getMessage()), context);
            throw EngineException.system("create container " + name + ": " + e.getMessage(), e).onRecord();
        }
        journal.append(StreamId.container(id), ExpectedVersion.exactly(0), new ContainerCreated(id), context);
        return id;
    }

    /**
     * Until the bridge driver exists, the default network is none; "bridge" is refused rather than faked. The
     * refusal is a 400, not Docker's 404: the CLI answers a 404 from create by trying to pull the image.
     */
    private static String networkMode(String requested) {
        String mode = requested == null ? "" : requested;
        return switch (mode) {
            case "", "default", "none" -> "none";
            case "host" -> "host";
            default -> throw EngineException.invalid("network " + mode + " not found");
        };
    }

    /** The image's defaults, overridden by the request as Docker does: a new entrypoint also drops the image's cmd. */
    static ContainerSpec specOf(CreateContainer c, ImageView image, ContainerConfig defaults, String networkMode,
                               String storageDriver) {
        List<String> entrypoint = c.entrypoint().orElse(defaults.entrypoint());
        List<String> cmd;
        if (c.cmd().isPresent() && !c.cmd().get().isEmpty()) {
            cmd = c.cmd().get();
        } else if (c.entrypoint().isPresent()) {
            cmd = List.of();
        } else {
            cmd = defaults.cmd();
        }
        if (entrypoint.size() == 1 && entrypoint.get(0).isEmpty()) {
            entrypoint = List.of();
        }
        List<String> env = mergeEnv(defaults.env(), c.env());
        Map<String, String> labels = new LinkedHashMap<>(defaults.labels());
        labels.putAll(c.labels());
        String workingDir = c.workingDir() == null || c.workingDir().isEmpty() ? defaults.workingDir() : c.workingDir();
        String user = c.user().filter(u -> !u.isEmpty()).orElse(defaults.user());
        String stopSignal = c.stopSignal().filter(x -> !x.isEmpty()).orElse(defaults.stopSignal() == null ? "" : defaults.stopSignal());
        return new ContainerSpec(c.image(), image.id(), entrypoint, cmd, env, workingDir == null ? "" : workingDir,
                user == null ? "" : user, c.hostname() == null ? "" : c.hostname(), labels, networkMode,
                c.autoRemove(), c.tty(), c.openStdin(), storageDriver, c.restartPolicy(), stopSignal,
                c.stopTimeout().orElse(-1), c.limits(), c.security(), c.tmpfs(), c.logOptions(), c.stdinOnce());
    }

    private static ContainerSpec withLimits(ContainerSpec s, ContainerSpec.ContainerLimits limits) {
        return new ContainerSpec(s.image(), s.imageId(), s.entrypoint(), s.cmd(), s.env(), s.workingDir(), s.user(),
                s.hostname(), s.labels(), s.networkMode(), s.autoRemove(), s.tty(), s.openStdin(), s.storageDriver(),
                s.restartPolicy(), s.stopSignal(), s.stopTimeout(), limits, s.security(), s.tmpfs(), s.logOptions(), s.stdinOnce());
    }

    /**
     * Image variables first; a request variable replaces the image's of the same name. "KEY" alone stays in the
     * config as Docker keeps it (inspect shows it) and replaces the image's KEY; the process gets no KEY at all.
     */
    static List<String> mergeEnv(List<String> image, List<String> request) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (String entry : image) {
            merged.put(keyOf(entry), entry);
        }
        for (String entry : request) {
            merged.put(keyOf(entry), entry);
        }
        if (!merged.containsKey("PATH")) {
            merged.put("PATH", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        }
        return new ArrayList<>(merged.values());
    }

    private static String keyOf(String entry) {
        int eq = entry.indexOf('=');
        return eq < 0 ? entry : entry.substring(0, eq);
    }
}
