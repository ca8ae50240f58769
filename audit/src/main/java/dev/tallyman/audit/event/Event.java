package dev.tallyman.audit.event;

/**
 * Something that happened, in the past tense: a command's intent ({@code …Requested}), its outcome
 * ({@code …ed} or {@code …Failed}), a refusal, or a fact the runtime reported. The payload holds domain facts
 * only; the store wraps it in an envelope with position, version, actor, correlation id, time and hashes.
 */
public sealed interface Event permits ContainerEvent, ImageEvent, NetworkEvent, VolumeEvent, BuildEvent, RegistryEvent,
        CommandRefused, SnapshotEvent, PluginEvent, ReconcileEvent, AuditEvent, AccessEvent {
}
