package dev.tallyman.runtime.exec;

import dev.tallyman.runtime.attach.AttachSession;

import java.util.Optional;

/**
 * An exec'd process that has started.
 *
 * @param execId the exec session's id
 * @param containerId the container it runs in
 * @param pid the process, as the host sees it
 * @param conmonPid the conmon holding its stdio; it writes the exit code when the process ends
 * @param session the connection to its stdio, attached before the process started so no output is missed;
 *                empty for a detached exec. The caller closes it.
 */
public record ExecProcess(String execId, String containerId, int pid, int conmonPid,
                          Optional<AttachSession> session) {
}
