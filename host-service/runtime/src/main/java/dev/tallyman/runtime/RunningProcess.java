package dev.tallyman.runtime;

/**
 * A container runc has created (status "created" until {@link ContainerRuntime#start}).
 *
 * @param id the container id
 * @param pid the container's init process, as the host sees it
 * @param conmonPid the conmon that holds its stdio and will write its exit code
 */
public record RunningProcess(String id, int pid, int conmonPid) {
}
