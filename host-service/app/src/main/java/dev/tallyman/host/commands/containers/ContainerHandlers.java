package dev.tallyman.host.commands.containers;

/** Every container command handler, handed to the API as one value. */
public record ContainerHandlers(
        CreateContainerHandler create,
        StartContainerHandler start,
        KillContainerHandler kill,
        StopContainerHandler stop,
        RemoveContainerHandler remove,
        RenameContainerHandler rename,
        PauseContainerHandler pause,
        PruneContainersHandler prune,
        AttachRecorder attach,
        RemoveLinkHandler removeLink) {

    /** Without docker rm --link. */
    public ContainerHandlers(CreateContainerHandler create, StartContainerHandler start, KillContainerHandler kill,
                             StopContainerHandler stop, RemoveContainerHandler remove, RenameContainerHandler rename,
                             PauseContainerHandler pause, PruneContainersHandler prune, AttachRecorder attach) {
        this(create, start, kill, stop, remove, rename, pause, prune, attach, null);
    }
}
