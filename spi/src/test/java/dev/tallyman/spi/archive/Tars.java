package dev.tallyman.spi.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds layer tars in memory for tests, hostile ones included. */
final class Tars {
    static final long DIRECTORY_TIME = 1_400_000_000_000L;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);

    Tars() {
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    Tars dir(String name, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
        e.setMode(mode);
        e.setLastModifiedTime(FileTime.fromMillis(DIRECTORY_TIME));
        return put(e, null);
    }

    Tars file(String name, String content) {
        return file(name, content, 0644, 0, 0, 1_600_000_000_000L);
    }

    Tars file(String name, String content, int mode, int uid, int gid, long mtimeMillis) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        e.setSize(data.length);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setLastModifiedTime(FileTime.fromMillis(mtimeMillis));
        return put(e, data);
    }

    Tars symlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        return put(e, null);
    }

    Tars hardlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        return put(e, null);
    }

    Tars device(String name, byte type, int major, int minor) {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        e.setMode(0666);
        return put(e, null);
    }

    private Tars put(TarArchiveEntry e, byte[] data) {
        try {
            out.putArchiveEntry(e);
            if (data != null) {
                out.write(data);
            }
            out.closeArchiveEntry();
            return this;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    byte[] bytes() {
        try {
            out.close();
            return bytes.toByteArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
