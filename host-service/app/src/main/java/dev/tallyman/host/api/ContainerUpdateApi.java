package dev.tallyman.host.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.host.commands.containers.UpdateContainerHandler;
import java.util.Collections;
import java.util.Optional;

/** {@code POST /containers/{id}/update} (docker update): Docker's UpdateConfig body in, {"Warnings"} out. */
public final class ContainerUpdateApi {
    private final UpdateContainerHandler handler;

    public ContainerUpdateApi(UpdateContainerHandler handler) {
        this.handler = handler;
    }

    /** The fields of Docker's UpdateConfig that Tallyman applies; others are read and left alone. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UpdateBody(long memory, long memorySwap, long nanoCpus, long cpuShares, long cpuQuota, long cpuPeriod,
                             String cpusetCpus, Long pidsLimit, RestartPolicyBody restartPolicy) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RestartPolicyBody(String name, int maximumRetryCount) {
    }

    public void register(ApiRouter router) {
        router.postJson("/containers/:name/update", this::update);
    }

    private void update(ApiRequest request) {
        UpdateBody body = request.body(UpdateBody.class);
        Optional<ContainerSpec.RestartPolicy> policy = Optional.ofNullable(body.restartPolicy())
                .filter(p -> p.name() != null && !p.name().isEmpty())
                .map(p -> new ContainerSpec.RestartPolicy(p.name(), p.maximumRetryCount()));
        handler.handle(request.path("name"), new UpdateContainerHandler.Update(body.memory(), body.memorySwap(),
                body.nanoCpus(), body.cpuShares(), body.cpuQuota(), body.cpuPeriod(), body.cpusetCpus(), body.pidsLimit(),
                policy), request.commandContext());
        request.json(200, Collections.singletonMap("Warnings", null));
    }
}
