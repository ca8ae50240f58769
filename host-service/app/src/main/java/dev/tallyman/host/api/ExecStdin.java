package dev.tallyman.host.api;

import dev.tallyman.runtime.attach.AttachSession;
import dev.tallyman.runtime.attach.DetachFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * An exec's input from the hijacked connection. The connection is upgraded before the process starts (as Docker
 * does), so the client may send bytes, or close its side, before there is a session to take them: those wait here
 * and are handed over, in order, when the session is attached.
 */
final class ExecStdin {
    private final DetachFilter detach;
    private final List<byte[]> early = new ArrayList<>();
    private AttachSession session;
    private boolean closed;
    private volatile boolean detached;

    /** @param detach the detach-keys filter of a TTY exec, or null */
    ExecStdin(DetachFilter detach) {
        this.detach = detach;
    }

    synchronized void accept(byte[] bytes) {
        if (detached || closed) {
            return;
        }
        byte[] passed = bytes;
        if (detach != null) {
            DetachFilter.Filtered f = detach.filter(bytes);
            passed = f.bytes();
            if (f.detached()) {
                detached = true;
            }
        }
        if (session == null) {
            early.add(passed);
            return;
        }
        if (passed.length > 0) {
            session.writeStdin(passed);
        }
        if (detached) {
            session.close();
        }
    }

    synchronized void closed() {
        if (closed || detached) {
            return;
        }
        closed = true;
        if (session != null) {
            session.closeStdin();
        }
    }

    /** Hands over what arrived before the process had started, then passes input straight through. */
    synchronized void attach(AttachSession started) {
        session = started;
        for (byte[] bytes : early) {
            if (bytes.length > 0) {
                session.writeStdin(bytes);
            }
        }
        early.clear();
        if (detached) {
            session.close();
        } else if (closed) {
            session.closeStdin();
        }
    }

    boolean detached() {
        return detached;
    }
}
