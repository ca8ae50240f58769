package dev.tallyman.spi.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What lstat(2) says of one path (never following a final symlink).
 *
 * @param mode file type and permission bits as in {@code st_mode}, setuid/setgid/sticky included
 * @param rdev device number of a character or block device, else 0
 */
public record FileStat(int mode, int uid, int gid, long rdev, long dev, long ino, int nlink, long size, FileTime mtime) {
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;

    /** lstat of {@code path}. */
    public static FileStat of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:mode,uid,gid,rdev,dev,ino,nlink,size,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        return new FileStat((Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"),
                (Long) a.get("rdev"), (Long) a.get("dev"), (Long) a.get("ino"), (Integer) a.get("nlink"),
                (Long) a.get("size"), (FileTime) a.get("lastModifiedTime"));
    }

    public int type() {
        return mode & S_IFMT;
    }

    /** Permission bits including setuid, setgid and sticky. */
    public int permissions() {
        return mode & 07777;
    }

    public boolean isDirectory() {
        return type() == S_IFDIR;
    }

    public boolean isRegularFile() {
        return type() == S_IFREG;
    }

    public boolean isSymbolicLink() {
        return type() == S_IFLNK;
    }

    public boolean isCharacterDevice() {
        return type() == S_IFCHR;
    }

    public boolean isBlockDevice() {
        return type() == S_IFBLK;
    }

    public boolean isFifo() {
        return type() == S_IFIFO;
    }

    /** overlayfs marks a deleted lower path with a character device 0/0 in the upper dir. */
    public boolean isOverlayWhiteout() {
        return isCharacterDevice() && rdev == 0;
    }

    public int major() {
        return PosixFiles.major(rdev);
    }

    public int minor() {
        return PosixFiles.minor(rdev);
    }
}
