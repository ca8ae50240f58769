package dev.tallyman.host.projections;

/**
 * Where a container stands, in Docker's words as {@code docker ps} shows them. CREATING lasts from the
 * create intent to its outcome; boot reconciliation resolves any found at start.
 */
public enum ContainerState {
    CREATING("created"),
    CREATED("created"),
    RUNNING("running"),
    PAUSED("paused"),
    RESTARTING("restarting"),
    EXITED("exited"),
    REMOVING("removing"),
    DEAD("dead");

    private final String dockerStatus;

    ContainerState(String dockerStatus) {
        this.dockerStatus = dockerStatus;
    }

    public String dockerStatus() {
        return dockerStatus;
    }
}
