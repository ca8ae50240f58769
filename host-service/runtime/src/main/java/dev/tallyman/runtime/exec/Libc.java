package dev.tallyman.runtime.exec;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** mkfifo, which Java lacks. errno via {@link Native#getLastError()}. */
interface Libc extends Library {
    Libc INSTANCE = Native.load("c", Libc.class);

    int mkfifo(String path, int mode);

    String strerror(int errnum);
}
