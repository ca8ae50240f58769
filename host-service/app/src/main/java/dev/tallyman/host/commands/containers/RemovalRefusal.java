package dev.tallyman.host.commands.containers;

import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;

/**
 * Why {@code docker rm} without force refuses a container, in the words Docker 20.10 uses
 * (daemon/delete.go): a live process, or a container its restart policy is about to bring back. Docker keeps
 * a restarting container "running", so rm refuses it between two runs as well; here a death is recorded
 * before the policy's decision, so an exited container that its policy wants back counts too.
 */
final class RemovalRefusal {
    private RemovalRefusal() {
    }

    static boolean refuses(ContainerView c) {
        return c.isRunning() || c.state() == ContainerState.RESTARTING
                || (c.state() == ContainerState.EXITED && RestartPolicies.wantsRestart(c, c.exitCode()));
    }

    static String message(ContainerView c) {
        String state = c.state() == ContainerState.EXITED ? "restarting" : c.state().dockerStatus();
        String procedure = c.state() == ContainerState.PAUSED
                ? "Unpause and then stop the container before attempting removal or force remove"
                : "Stop the container before attempting removal or force remove";
        return "You cannot remove a " + state + " container " + c.id() + ". " + procedure;
    }
}
