package dev.tallyman.runtime.oci;

import java.util.List;

/**
 * The process a container runs, as Docker describes it.
 *
 * @param args the command and its arguments; not empty
 * @param env {@code KEY=value} entries; a later entry for the same key wins
 * @param cwd the working directory inside the container; blank means {@code /}
 * @param user Docker's {@code -u} forms: {@code ""}, {@code uid}, {@code uid:gid}, {@code name}, {@code name:group}
 *             (names resolve against the rootfs' {@code /etc/passwd} and {@code /etc/group})
 * @param tty whether the process gets a terminal
 * @param noNewPrivileges whether {@code no_new_privs} is set (Docker's {@code --security-opt no-new-privileges})
 */
public record ContainerProcess(List<String> args, List<String> env, String cwd, String user, boolean tty,
                               boolean noNewPrivileges, List<String> groupAdd) {
    /** A process without --group-add. */
    public ContainerProcess(List<String> args, List<String> env, String cwd, String user, boolean tty,
                            boolean noNewPrivileges) {
        this(args, env, cwd, user, tty, noNewPrivileges, List.of());
    }

    public ContainerProcess {
        groupAdd = groupAdd == null ? List.of() : List.copyOf(groupAdd);
        args = List.copyOf(args);
        env = List.copyOf(env);
        if (args.isEmpty()) {
            throw new IllegalArgumentException("a container process needs a command");
        }
        cwd = cwd == null || cwd.isBlank() ? "/" : cwd;
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("the working directory must be absolute: " + cwd);
        }
        user = user == null ? "" : user;
    }

    /** A command run as root in {@code /} without a terminal. */
    public static ContainerProcess of(String... args) {
        return new ContainerProcess(List.of(args), List.of(), "/", "", false, false);
    }
}
