package dev.tallyman.audit.event;

/**
 * What the reconciler did to the machine on its own account, on the stream {@code reconcile} with the actor
 * SYSTEM "reconcile": things the machine held that no object on the record owns, removed so that the record
 * and the machine agree again. Each names what it removed and why, so that an auditor sees a container killed
 * by Tallyman as clearly as one killed by a user. Closing an intent is not here: that is the intent's own outcome.
 */
public sealed interface ReconcileEvent extends Event {
    String reason();

    /** A runc container no container on the record owns, killed and deleted. */
    @EventType("reconcile.orphan-container-removed")
    record OrphanContainerRemoved(String containerId, String reason) implements ReconcileEvent {
    }

    /** A container's root filesystem left mounted while the container is not running, unmounted. */
    @EventType("reconcile.orphan-mount-removed")
    record OrphanMountRemoved(String containerId, String path, String reason) implements ReconcileEvent {
    }

    /** A container's writable layer that a create cut short left half made, removed. */
    @EventType("reconcile.layer-removed")
    record LeftoverLayerRemoved(String containerId, String reason) implements ReconcileEvent {
    }
}
