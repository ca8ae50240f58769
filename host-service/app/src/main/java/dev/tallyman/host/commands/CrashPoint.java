package dev.tallyman.host.commands;

import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.RecordedEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A fault a test asks for: with {@code TALLYMAN_CRASH_AFTER_FILE=<path>} in its environment, the service SIGKILLs
 * itself the moment a caller's event of the type named in that file is durable, before the effect that follows
 * it. This is the one crash the record has to survive for every command (an intent with nothing after it), and a
 * timer in a test cannot hit it reliably. A file rather than a fixed setting, so that a test arms the crash just
 * before the one command it means, without a restart. Without the variable this is a null check per append.
 */
final class CrashPoint {
    private static final String FILE = System.getenv("TALLYMAN_CRASH_AFTER_FILE");

    private CrashPoint() {
    }

    static void after(List<RecordedEvent> recorded) {
        if (FILE == null || FILE.isEmpty()) {
            return;
        }
        String type;
        try {
            type = Files.readString(Path.of(FILE)).strip();
        } catch (IOException e) {
            return; // not armed
        }
        for (RecordedEvent r : recorded) {
            // Only a caller's command: the reconciler's own appends at boot must not kill the boot.
            if (r.type().equals(type) && r.actor().kind() != Actor.Kind.SYSTEM) {
                killSelf();
            }
        }
    }

    private static void killSelf() {
        String pid = Long.toString(ProcessHandle.current().pid());
        try {
            new ProcessBuilder("kill", "-KILL", pid).inheritIO().start().waitFor();
        } catch (IOException e) {
            // no kill(1): halting is the nearest thing, no shutdown hook runs either
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(137);
    }
}
