package dev.tallyman.host.api;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.projections.ContainerView;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tallyman.runtime.cgroups.DockerStats;
import dev.tallyman.runtime.cgroups.StatsSample;
import dev.tallyman.runtime.top.ContainerTopException;
import dev.tallyman.runtime.top.ProcessTable;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** docker top and docker stats: what runs in a container and what it uses, read from the machine. */
public final class ContainerStatsApi {
    private final ContainerFinder finder;
    private final ContainerTools tools;

    public ContainerStatsApi(ContainerFinder finder, ContainerTools tools) {
        this.finder = finder;
        this.tools = tools;
    }

    public void register(ApiRouter router) {
        router.get("/containers/:name/top", this::top);
        router.get("/containers/:name/stats", this::stats);
    }

    private void top(ApiRequest request) {
        ContainerView c = finder.require(request.path("name"));
        if (!c.isRunning()) {
            throw EngineException.conflict("Container " + c.id() + " is not running");
        }
        try {
            ProcessTable table = tools.top().top(c.id(), request.query("ps_args", ""));
            request.json(200, Map.of("Titles", table.titles(), "Processes", table.processes()));
        } catch (ContainerTopException e) {
            throw EngineException.system(e.getMessage(), e);
        }
    }

    /** docker stats: one sample (stream=false) or one a second until the client goes or the container stops. */
    private void stats(ApiRequest request) throws Exception {
        ContainerView c = finder.require(request.path("name"));
        boolean stream = !request.query("stream").isPresent() || request.flag("stream");
        boolean oneShot = request.flag("one-shot");
        boolean networks = !c.spec().networkMode().equals("host");
        HttpServerResponse response = request.response();
        response.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/json");
        AtomicBoolean gone = new AtomicBoolean();
        response.closeHandler(v -> gone.set(true));
        Optional<StatsSample> previous = Optional.empty();
        if (!stream && !oneShot && c.isRunning()) {
            // docker stats --no-stream shows CPU %, which needs two samples a moment apart, as Docker takes them.
            previous = tools.runtime().stats(c.id());
            Thread.sleep(1000);
        }
        do {
            Optional<StatsSample> current = tools.runtime().stats(c.id());
            ObjectNode body;
            if (current.isPresent()) {
                // one-shot: a single sample without the previous one, so no CPU delta, as Docker answers it.
                body = DockerStats.json(c.id(), "/" + c.name(), current.get(), oneShot ? Optional.empty() : previous, networks);
            } else {
                body = request.mapper().createObjectNode().put("id", c.id()).put("name", "/" + c.name())
                        .put("read", DockerStats.ZERO_TIME).put("preread", DockerStats.ZERO_TIME);
            }
            response.write(request.mapper().writeValueAsString(body) + "\n");
            previous = current;
            if (!stream || current.isEmpty()) {
                break;
            }
            Thread.sleep(1000);
        } while (!gone.get());
        if (!gone.get()) {
            response.end();
        }
    }
}
