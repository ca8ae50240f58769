package dev.tallyman.host.runtime;

import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.event.ContainerSpec.ContainerLimits;
import dev.tallyman.audit.event.ContainerSpec.ContainerSecurity;
import dev.tallyman.runtime.oci.Capabilities;
import dev.tallyman.runtime.oci.ContainerSpecification;
import dev.tallyman.runtime.oci.HostProfile;
import dev.tallyman.runtime.oci.ResourceValidation;
import dev.tallyman.runtime.oci.Resources;
import dev.tallyman.runtime.oci.SpecificationException;
import dev.tallyman.runtime.oci.Ulimit;
import dev.tallyman.runtime.logs.JsonFileLogOptions;
import java.util.List;
import java.util.Map;

/**
 * A container's run options (limits, privileges, tmpfs, logging) in the runtime's terms: checked at create with
 * Docker's messages, so a bad value is refused before anything exists, and applied to the OCI spec at start.
 */
public final class RunOptions {
    private RunOptions() {
    }

    /**
     * Docker's checks of the options. Returns the limits as Docker stores them: swap defaulting to twice the
     * memory, shares clamped into the kernel's range.
     *
     * @throws IllegalArgumentException with Docker's message, which the commands answer as a 400
     */
    public static ContainerLimits validate(ContainerSpec spec) {
        try {
            ContainerLimits l = spec.limits() == null ? ContainerLimits.NONE : spec.limits();
            Resources checked = ResourceValidation.validate(resources(l));
            l.ulimits().forEach(Ulimit::parse);
            ContainerSecurity s = spec.security() == null ? ContainerSecurity.DEFAULT : spec.security();
            Capabilities.resolve(s.capAdd(), s.capDrop(), s.privileged(), HostProfile.current().capabilityBoundingSet());
            if (spec.tmpfs() != null) {
                for (String path : spec.tmpfs().keySet()) {
                    if (!path.startsWith("/")) {
                        throw new IllegalArgumentException("invalid mount config for type \"tmpfs\": invalid mount path: '"
                                + path + "' mount path must be absolute");
                    }
                }
            }
            logOptions(spec);
            return new ContainerLimits(checked.memoryBytes().orElse(0), checked.memorySwapBytes().orElse(0),
                    checked.nanoCpus().orElse(0), checked.cpuShares().orElse(0), checked.cpusetCpus().orElse(""),
                    checked.pidsLimit().orElse(0), l.ulimits());
        } catch (SpecificationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static Resources resources(ContainerLimits l) {
        return Resources.fromDocker(l.memory(), l.memorySwap(), l.nanoCpus(), l.cpuShares(), 0, 0, l.cpusetCpus(), "",
                l.pidsLimit() == 0 ? null : l.pidsLimit());
    }

    /** --log-opt and the labels and env it may copy into each log line (--details). */
    public static JsonFileLogOptions logOptions(ContainerSpec spec) {
        Map<String, String> options = spec.logOptions() == null ? Map.of() : spec.logOptions();
        return JsonFileLogOptions.parse(options, spec.labels(), spec.env());
    }

    /** Limits, privileges and mounts onto the OCI spec being built. The values were validated at create. */
    static void apply(ContainerSpecification.Builder builder, ContainerSpec spec) {
        ContainerLimits l = spec.limits();
        ContainerSecurity s = spec.security();
        builder.resources(ResourceValidation.validate(resources(l)))
                .ulimits(l.ulimits().stream().map(Ulimit::parse).toList())
                .readonlyRootfs(s.readonlyRootfs())
                .capAdd(s.capAdd())
                .capDrop(s.capDrop())
                .privileged(s.privileged())
                .init(s.init());
        spec.tmpfs().forEach(builder::tmpfs);
    }

}
