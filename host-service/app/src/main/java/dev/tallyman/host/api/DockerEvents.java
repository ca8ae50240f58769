package dev.tallyman.host.api;

import dev.tallyman.audit.event.ContainerEvent;
import dev.tallyman.audit.event.ContainerEvent.*;
import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.ImageEvent;
import dev.tallyman.audit.event.ImageEvent.*;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.audit.event.NetworkEvent;
import dev.tallyman.host.projections.ContainerProjection.Identity;
import dev.tallyman.host.projections.NetworkProjection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Our events in Docker's event shape, for docker events: Type, Action, Actor{ID, Attributes}, time, timeNano, plus
 * the legacy status/id/from fields. Only outcomes that Docker also reports are shown; intents and refusals stay
 * Tallyman's own record. Every message names who caused it (tallyman.actor.* attributes), which Docker cannot.
 */
final class DockerEvents {
    private DockerEvents() {
    }

    /** Docker's message for an event, or empty for one Docker has no counterpart for. */
    static Optional<Map<String, Object>> of(RecordedEvent recorded, Function<String, Optional<Identity>> containers) {
        return of(recorded, containers, id -> Optional.empty());
    }

    /** As {@link #of(RecordedEvent, Function)}, with the networks' names and drivers for network events. */
    static Optional<Map<String, Object>> of(RecordedEvent recorded, Function<String, Optional<Identity>> containers,
                                            Function<String, Optional<NetworkProjection.Identity>> networks) {
        Event event = recorded.event();
        String type;
        String action;
        String id;
        Map<String, String> attributes = new LinkedHashMap<>();
        if (event instanceof ContainerEvent c) {
            type = "container";
            id = c.containerId();
            action = containerAction(c);
            if (action == null) {
                return Optional.empty();
            }
            containers.apply(id).ifPresent(identity -> {
                attributes.putAll(new java.util.TreeMap<>(identity.labels()));
                attributes.put("image", identity.image());
                attributes.put("name", identity.name());
            });
            if (c instanceof ContainerDied d) {
                attributes.put("exitCode", Integer.toString(d.exitCode()));
            } else if (c instanceof ContainerStartFailed f) {
                attributes.put("exitCode", Integer.toString(f.exitCode()));
            } else if (c instanceof ContainerKilled k) {
                attributes.put("signal", k.signal());
            } else if (c instanceof ContainerRenamed r) {
                attributes.put("oldName", "/" + r.oldName());
            } else if (c instanceof ContainerEvent.ContainerResized r) {
                attributes.put("height", Integer.toString(r.height()));
                attributes.put("width", Integer.toString(r.width()));
            } else if (c instanceof ContainerExecStarted e) {
                attributes.put("execID", e.execId());
            } else if (c instanceof ContainerExecCreated e) {
                attributes.put("execID", e.execId());
            } else if (c instanceof ContainerExecDied e) {
                attributes.put("execID", e.execId());
                attributes.put("exitCode", Integer.toString(e.exitCode()));
            }
        } else if (event instanceof NetworkEvent n) {
            type = "network";
            id = n.networkId();
            action = networkAction(n);
            if (action == null) {
                return Optional.empty();
            }
            networks.apply(id).ifPresent(identity -> {
                attributes.put("name", identity.name());
                attributes.put("type", identity.driver());
            });
            if (n instanceof NetworkEvent.ContainerConnected c) {
                attributes.put("container", c.containerId());
            } else if (n instanceof NetworkEvent.ContainerDisconnected d) {
                attributes.put("container", d.containerId());
            }
        } else if (event instanceof ImageCommitted e) {
            // Docker reports a commit as the container's event, naming the new image.
            type = "container";
            action = "commit";
            id = e.containerId();
            containers.apply(id).ifPresent(identity -> {
                attributes.put("image", identity.image());
                attributes.put("name", identity.name());
            });
            attributes.put("comment", e.comment());
            attributes.put("imageID", e.imageId());
        } else if (event instanceof ImageEvent i) {
            type = "image";
            if (i instanceof ImageImported e) {
                action = "import";
                id = e.imageId();
                attributes.put("name", e.imageId());
            } else if (i instanceof ImagePulled e) {
                // Docker names pulls and pushes by the reference, not by the image id.
                action = "pull";
                id = ImageLookup.familiar(e.reference());
                attributes.put("name", id);
            } else if (i instanceof ImagePushed e) {
                action = "push";
                id = ImageLookup.familiar(e.reference());
                attributes.put("name", id);
            } else if (i instanceof ImageLoaded e) {
                action = "load";
                id = e.imageId();
                attributes.put("name", e.imageId());
            } else if (i instanceof ImagesSaved e && !e.imageIds().isEmpty()) {
                action = "save";
                id = e.imageIds().get(0);
                attributes.put("name", e.references().isEmpty() ? id : ImageLookup.familiar(e.references().get(0)));
            } else if (i instanceof ImageTagged e) {
                action = "tag";
                id = e.imageId();
                attributes.put("name", ImageLookup.familiar(e.reference()));
            } else if (i instanceof ImageUntagged e) {
                action = "untag";
                id = e.imageId();
                attributes.put("name", ImageLookup.familiar(e.reference()));
            } else if (i instanceof ImageDeleted e) {
                action = "delete";
                id = e.imageId();
                attributes.put("name", e.imageId());
            } else {
                return Optional.empty();
            }
        } else if (event instanceof dev.tallyman.audit.event.VolumeEvent v) {
            type = "volume";
            id = v.name();
            if (v instanceof dev.tallyman.audit.event.VolumeEvent.VolumeCreated e) {
                action = "create";
                attributes.put("driver", e.driver());
            } else if (v instanceof dev.tallyman.audit.event.VolumeEvent.VolumeMounted e) {
                action = "mount";
                attributes.put("container", e.containerId());
                attributes.put("destination", e.destination());
                attributes.put("driver", e.driver());
                attributes.put("propagation", e.propagation());
                attributes.put("read/write", Boolean.toString(e.readWrite()));
            } else if (v instanceof dev.tallyman.audit.event.VolumeEvent.VolumeUnmounted e) {
                action = "unmount";
                attributes.put("container", e.containerId());
                attributes.put("driver", e.driver());
            } else if (v instanceof dev.tallyman.audit.event.VolumeEvent.VolumeRemoved e) {
                action = "destroy";
                attributes.put("driver", e.driver());
            } else {
                return Optional.empty();
            }
        } else {
            return Optional.empty();
        }
        Actor actor = recorded.actor();
        attributes.put("tallyman.actor", actor.kind().name().toLowerCase(java.util.Locale.ROOT));
        if (actor.uid() >= 0) {
            attributes.put("tallyman.actor.uid", Integer.toString(actor.uid()));
        }
        if (actor.pid() >= 0) {
            attributes.put("tallyman.actor.pid", Integer.toString(actor.pid()));
        }
        if (!actor.userName().isEmpty()) {
            attributes.put("tallyman.actor.user", actor.userName());
        }
        attributes.put("tallyman.correlation", recorded.correlationId().toString());
        attributes.put("tallyman.position", Long.toString(recorded.position()));

        Map<String, Object> message = new LinkedHashMap<>();
        // The fields older clients read, which Docker fills for containers and images only.
        if (type.equals("container")) {
            message.put("status", action);
            message.put("id", id);
            message.put("from", attributes.getOrDefault("image", ""));
        } else if (type.equals("image")) {
            message.put("status", action);
            message.put("id", id);
        }
        message.put("Type", type);
        message.put("Action", action);
        message.put("Actor", Map.of("ID", id, "Attributes", attributes));
        message.put("scope", "local");
        long nanos = recorded.occurredAt().getEpochSecond() * 1_000_000_000L + recorded.occurredAt().getNano();
        message.put("time", recorded.occurredAt().getEpochSecond());
        message.put("timeNano", nanos);
        return Optional.of(message);
    }

    /** Docker's network actions; null for the rest. */
    private static String networkAction(NetworkEvent n) {
        if (n instanceof NetworkEvent.NetworkCreated) return "create";
        if (n instanceof NetworkEvent.NetworkRemoved) return "destroy";
        if (n instanceof NetworkEvent.ContainerConnected) return "connect";
        if (n instanceof NetworkEvent.ContainerDisconnected) return "disconnect";
        return null;
    }

    /** Docker's action names; null for events Docker does not report (intents, failures of commands). */
    private static String containerAction(ContainerEvent c) {
        if (c instanceof ContainerCreated) return "create";
        if (c instanceof ContainerStarted) return "start";
        if (c instanceof ContainerDied || c instanceof ContainerStartFailed) return "die";
        if (c instanceof ContainerKilled) return "kill";
        if (c instanceof ContainerStopped) return "stop";
        if (c instanceof ContainerRemoved) return "destroy";
        if (c instanceof ContainerExported) return "export";
        if (c instanceof ContainerCopiedIn) return "extract-to-dir";
        if (c instanceof ContainerEvent.ContainerCopiedOut) return "archive-path";
        // Docker reports the container's own terminal resizes, not an exec's.
        if (c instanceof ContainerEvent.ContainerResized r && r.execId().isEmpty()) return "resize";
        if (c instanceof ContainerPaused) return "pause";
        if (c instanceof ContainerUnpaused) return "unpause";
        if (c instanceof ContainerRenamed) return "rename";
        if (c instanceof ContainerOomKilled) return "oom";
        if (c instanceof ContainerRestartScheduled) return "restart";
        if (c instanceof ContainerExecStarted e) return "exec_start: " + String.join(" ", e.command());
        if (c instanceof ContainerExecDied) return "exec_die";
        if (c instanceof ContainerExecCreated e) return "exec_create: " + String.join(" ", e.command());
        if (c instanceof ContainerAttached) return "attach";
        if (c instanceof ContainerEvent.ContainerHealthChanged h && !h.status().equals(h.previousStatus())) {
            return "health_status: " + h.status();
        }
        if (c instanceof ContainerEvent.ContainerUpdated) return "update";
        return null;
    }
}
