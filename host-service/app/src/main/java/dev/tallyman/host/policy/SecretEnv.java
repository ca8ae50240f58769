package dev.tallyman.host.policy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.audit.event.ContainerEvent.ContainerCreateRequested;
import dev.tallyman.audit.event.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Keeps secret environment values out of the record while the container still gets them: a create's intent is
 * recorded with {@code NAME=<redacted>}, the real values go to a 0600 file beside the container's log
 * ({@code <data root>/containers/<id>/secret-env.json}, removed with the container), and every launch puts
 * them back into the process's environment.
 */
public final class SecretEnv implements UnaryOperator<Event> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Redaction redaction;
    private final Path dataRoot;

    public SecretEnv(Redaction redaction, Path dataRoot) {
        this.redaction = redaction;
        this.dataRoot = dataRoot;
    }

    /** Before an event is appended: a create intent loses its secret values, which are kept aside first. */
    @Override
    public Event apply(Event event) {
        if (event instanceof ContainerCreateRequested create && create.spec() != null) {
            Map<String, String> secrets = redaction.secrets(create.spec().env());
            if (!secrets.isEmpty()) {
                keep(create.containerId(), secrets);
                return new ContainerCreateRequested(create.containerId(), create.name(),
                        create.spec().withEnv(redaction.env(create.spec().env())));
            }
        }
        return event;
    }

    /** At launch: the recorded environment with the kept values in place of the marks. */
    public List<String> restore(String containerId, List<String> env) {
        Path file = file(containerId);
        if (env == null || !Files.exists(file)) {
            return env;
        }
        Map<String, String> secrets;
        try {
            secrets = JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("read secret environment of container " + containerId, e);
        }
        List<String> out = new ArrayList<>(env.size());
        for (String entry : env) {
            int eq = entry.indexOf('=');
            String name = eq > 0 ? entry.substring(0, eq) : "";
            out.add(eq > 0 && entry.endsWith("=" + Redaction.MARK) && secrets.containsKey(name)
                    ? name + "=" + secrets.get(name) : entry);
        }
        return out;
    }

    private void keep(String containerId, Map<String, String> secrets) {
        Path file = file(containerId);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, JSON.writeValueAsBytes(secrets));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("keep secret environment of container " + containerId, e);
        }
    }

    private Path file(String containerId) {
        return dataRoot.resolve("containers").resolve(containerId).resolve("secret-env.json");
    }
}
