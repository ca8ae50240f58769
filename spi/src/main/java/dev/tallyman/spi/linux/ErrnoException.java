package dev.tallyman.spi.linux;

import java.io.IOException;

/** A system call that failed; the message reads {@code <operation> <object>: EBUSY (Device or resource busy)}. */
public class ErrnoException extends IOException {
    private final int errno;

    public ErrnoException(String operation, int errno) {
        super(operation + ": " + Errno.describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** Reads errno right after a failed call on this thread. */
    static ErrnoException last(String operation) {
        return new ErrnoException(operation, Errno.last());
    }
}
