package dev.tallyman.runtime.exec;

import java.util.List;

/**
 * A process to run in a running container, as {@code docker exec} describes it.
 *
 * @param args the command and its arguments; not empty
 * @param env {@code KEY=value} entries added to the container's environment (a key given here wins)
 * @param user Docker's {@code -u} forms resolved against the container's rootfs; blank means the container's user
 * @param workingDir absolute directory inside the container; blank means the container's working directory
 * @param tty whether the process gets a terminal (conmon holds its master)
 * @param stdin whether the process' stdin is open for the attached client (else it reads /dev/null);
 *              ending the client's input closes it
 * @param detach whether nobody attaches ({@code docker exec -d}): output is discarded
 */
public record ExecSpec(List<String> args, List<String> env, String user, String workingDir, boolean tty,
                       boolean stdin, boolean detach) {
    public ExecSpec {
        args = List.copyOf(args);
        env = List.copyOf(env);
        if (args.isEmpty()) {
            throw new IllegalArgumentException("an exec needs a command");
        }
        user = user == null ? "" : user;
        workingDir = workingDir == null ? "" : workingDir;
        if (!workingDir.isEmpty() && !workingDir.startsWith("/")) {
            throw new IllegalArgumentException("the working directory must be absolute: " + workingDir);
        }
        if (detach && stdin) {
            throw new IllegalArgumentException("a detached exec has no client to read stdin from");
        }
    }

    /** Attached, no terminal, no stdin, as the container's user in its working directory. */
    public static ExecSpec of(String... args) {
        return new ExecSpec(List.of(args), List.of(), "", "", false, false, false);
    }
}
