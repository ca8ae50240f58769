package dev.tallyman.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/** Reads /proc for processes we did not start ourselves (conmon's daemon, a container's init). */
public final class HostProcess {
    private HostProcess() {
    }

    /** Alive means present and neither a zombie nor dead: an exited conmon waits as a zombie until init reaps it. */
    public static boolean alive(int pid) {
        String stat = stat(pid);
        if (stat == null) {
            return false;
        }
        char state = stat.charAt(stat.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
    }

    /** Field 22 of /proc/pid/stat, the start time in clock ticks; runc stores it to tell a reused pid apart. */
    static OptionalLong startTime(int pid) {
        String stat = stat(pid);
        if (stat == null) {
            return OptionalLong.empty();
        }
        // Fields after the command name (which may hold spaces) start at field 3.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return OptionalLong.of(Long.parseLong(fields[22 - 3]));
    }

    /** The command line as NUL-separated arguments; empty when the process is gone. */
    public static List<String> commandLine(int pid) {
        try {
            String text = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Whether the process sits in a cgroup whose path names the container ({@code /tallyman/<id>} or a
     * configured parent with the id as its last element), read from /proc/pid/cgroup.
     */
    public static boolean inCgroupOf(int pid, String containerId) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "cgroup"))) {
                if (line.endsWith("/" + containerId)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static String stat(int pid) {
        try {
            return Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // ESRCH while reading: the process went away between open and read.
            return null;
        }
    }
}
