package dev.tallyman.spi.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * mount(8) option words split into what mount(2) takes: MS_* flags and the file system's data string.
 * Words that are not flags ({@code lowerdir=...}, {@code mode=755}) pass to the file system unchanged, in order.
 */
public record MountOptions(long flags, long propagation, String data) {
    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_SYNCHRONOUS = 16;
    public static final long MS_REMOUNT = 32;
    public static final long MS_MANDLOCK = 64;
    public static final long MS_DIRSYNC = 128;
    public static final long MS_NOSYMFOLLOW = 256;
    public static final long MS_NOATIME = 1024;
    public static final long MS_NODIRATIME = 2048;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_UNBINDABLE = 1 << 17;
    public static final long MS_PRIVATE = 1 << 18;
    public static final long MS_SLAVE = 1 << 19;
    public static final long MS_SHARED = 1 << 20;
    public static final long MS_RELATIME = 1 << 21;
    public static final long MS_STRICTATIME = 1 << 24;

    private record Word(long set, long clear) {
    }

    private static final Map<String, Word> FLAGS = Map.ofEntries(
            Map.entry("defaults", new Word(0, 0)),
            Map.entry("ro", new Word(MS_RDONLY, 0)), Map.entry("rw", new Word(0, MS_RDONLY)),
            Map.entry("nosuid", new Word(MS_NOSUID, 0)), Map.entry("suid", new Word(0, MS_NOSUID)),
            Map.entry("nodev", new Word(MS_NODEV, 0)), Map.entry("dev", new Word(0, MS_NODEV)),
            Map.entry("noexec", new Word(MS_NOEXEC, 0)), Map.entry("exec", new Word(0, MS_NOEXEC)),
            Map.entry("sync", new Word(MS_SYNCHRONOUS, 0)), Map.entry("async", new Word(0, MS_SYNCHRONOUS)),
            Map.entry("remount", new Word(MS_REMOUNT, 0)),
            Map.entry("mand", new Word(MS_MANDLOCK, 0)), Map.entry("nomand", new Word(0, MS_MANDLOCK)),
            Map.entry("dirsync", new Word(MS_DIRSYNC, 0)),
            Map.entry("nosymfollow", new Word(MS_NOSYMFOLLOW, 0)),
            Map.entry("noatime", new Word(MS_NOATIME, 0)), Map.entry("atime", new Word(0, MS_NOATIME)),
            Map.entry("nodiratime", new Word(MS_NODIRATIME, 0)), Map.entry("diratime", new Word(0, MS_NODIRATIME)),
            Map.entry("relatime", new Word(MS_RELATIME, 0)), Map.entry("norelatime", new Word(0, MS_RELATIME)),
            Map.entry("strictatime", new Word(MS_STRICTATIME, 0)), Map.entry("nostrictatime", new Word(0, MS_STRICTATIME)),
            Map.entry("bind", new Word(MS_BIND, 0)), Map.entry("rbind", new Word(MS_BIND | MS_REC, 0)),
            Map.entry("private", new Word(MS_PRIVATE, 0)), Map.entry("rprivate", new Word(MS_PRIVATE | MS_REC, 0)),
            Map.entry("shared", new Word(MS_SHARED, 0)), Map.entry("rshared", new Word(MS_SHARED | MS_REC, 0)),
            Map.entry("slave", new Word(MS_SLAVE, 0)), Map.entry("rslave", new Word(MS_SLAVE | MS_REC, 0)),
            Map.entry("unbindable", new Word(MS_UNBINDABLE, 0)),
            Map.entry("runbindable", new Word(MS_UNBINDABLE | MS_REC, 0)));

    private static final long PROPAGATION = MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE;

    /** Splits option words; propagation flags are kept apart because mount(2) only takes them alone. */
    public static MountOptions parse(List<String> words) {
        long flags = 0;
        List<String> data = new ArrayList<>();
        for (String word : words) {
            Word flag = FLAGS.get(word);
            if (flag == null) {
                data.add(word);
            } else {
                flags = (flags | flag.set()) & ~flag.clear();
            }
        }
        long propagation = flags & PROPAGATION;
        if (propagation != 0) {
            propagation |= flags & MS_REC;
        }
        return new MountOptions(flags & ~PROPAGATION, propagation, String.join(",", data));
    }

    public boolean isBind() {
        return (flags & MS_BIND) != 0;
    }

    /** A bind mount ignores every flag but MS_REC; the others need a second, remounting call. */
    public boolean bindNeedsRemount() {
        return isBind() && (flags & ~(MS_BIND | MS_REC)) != 0;
    }
}
