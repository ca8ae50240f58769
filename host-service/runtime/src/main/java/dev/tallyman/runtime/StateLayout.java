package dev.tallyman.runtime;

import java.nio.file.Path;

/** Where conmon and runc keep one container's files under the runtime's state directory. */
record StateLayout(Path stateDir) {
    Path exitDir() {
        return stateDir.resolve("exits");
    }

    Path socketDir() {
        return stateDir.resolve("sockets");
    }

    Path containersDir() {
        return stateDir.resolve("containers");
    }

    /** conmon's working and persist directory: pid files, runc's create log, conmon's own exit and oom files. */
    Path containerDir(String id) {
        return containersDir().resolve(id);
    }

    Path exitFile(String id) {
        return exitDir().resolve(id);
    }

    Path pidFile(String id) {
        return containerDir(id).resolve("pid");
    }

    Path conmonPidFile(String id) {
        return containerDir(id).resolve("conmon.pid");
    }

    Path conmonOutput(String id) {
        return containerDir(id).resolve("conmon.out");
    }

    Path runcLog(String id) {
        return containerDir(id).resolve("runc.log");
    }

    /** conmon creates "oom" in its working directory when the memory cgroup reports an OOM kill (cgroup v1). */
    Path oomFile(String id) {
        return containerDir(id).resolve("oom");
    }

    /** conmon links {@code sockets/<id>} to the bundle, where it makes its attach socket and fifos. */
    Path socketLink(String id) {
        return socketDir().resolve(id);
    }
}
