package dev.tallyman.runtime.oci;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Docker's capability rules: the default set, --cap-add/--cap-drop with ALL, --privileged. */
public final class Capabilities {
    /** Linux capability names by number (capability.h), without the CAP_ prefix. */
    static final List<String> LINUX = List.of(
            "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
            "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
            "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
            "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
            "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
            "CHECKPOINT_RESTORE");

    /** Docker's default set for a container that is not privileged. */
    public static final List<String> DOCKER_DEFAULT = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
            "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
            "CAP_AUDIT_WRITE");

    private Capabilities() {
    }

    /**
     * The capabilities a container gets, as {@code CAP_*} names in a stable order, limited to what the host's
     * bounding set holds (a capability the host lacks would make runc fail, and --privileged must still work).
     * Follows Docker: privileged takes every capability; {@code ALL} in capAdd takes every one minus capDrop;
     * {@code ALL} in capDrop keeps only capAdd; otherwise the default set minus capDrop plus capAdd.
     *
     * @throws SpecificationException for a name Linux does not know
     */
    public static List<String> resolve(List<String> capAdd, List<String> capDrop, boolean privileged,
                                       long boundingSet) {
        List<String> add = normalize(capAdd);
        List<String> drop = normalize(capDrop);
        Set<String> wanted = new LinkedHashSet<>();
        if (privileged || add.contains("ALL")) {
            wanted.addAll(all());
            if (!privileged) {
                wanted.removeAll(drop);
            }
        } else if (drop.contains("ALL")) {
            wanted.addAll(add);
        } else {
            wanted.addAll(DOCKER_DEFAULT);
            wanted.removeAll(drop);
            wanted.addAll(add);
        }
        wanted.remove("ALL");
        List<String> granted = new ArrayList<>();
        for (String name : wanted) {
            int bit = LINUX.indexOf(name.substring("CAP_".length()));
            if ((boundingSet & (1L << bit)) != 0) {
                granted.add(name);
            }
        }
        return List.copyOf(granted);
    }

    private static List<String> all() {
        return LINUX.stream().map(name -> "CAP_" + name).toList();
    }

    private static List<String> normalize(List<String> names) {
        List<String> result = new ArrayList<>();
        for (String raw : names) {
            String name = raw.trim().toUpperCase(Locale.ROOT);
            if (name.equals("ALL")) {
                result.add(name);
                continue;
            }
            String bare = name.startsWith("CAP_") ? name.substring(4) : name;
            if (!LINUX.contains(bare)) {
                throw new SpecificationException("unknown capability: \"" + raw + "\"");
            }
            result.add("CAP_" + bare);
        }
        return result;
    }
}
