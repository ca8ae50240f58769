package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** What the image ITs share: checked CLI calls, unique images, and looks at the record and the data root. */
final class ImageItSupport {
    private ImageItSupport() {
    }

    /** Runs the CLI and fails the test, showing both outputs, unless it exits 0. */
    static CommandResult ok(TallymanProcess tallyman, String... args) {
        CommandResult result = tallyman.docker(args);
        assertThat(result.exitCode()).as("docker " + String.join(" ", args) + "\n" + result).isZero();
        return result;
    }

    /**
     * An image with content no other test has: busybox plus a file of random bytes, committed from a container
     * that is removed again. Its base layer is busybox's.
     */
    static String uniqueImage(TallymanProcess tallyman, String name, int randomBytes) {
        String maker = "make-" + name.replaceAll("[^a-z0-9]", "-");
        ok(tallyman, "run", "--name", maker, "busybox", "sh", "-c",
                "head -c " + randomBytes + " /dev/urandom > /random.bin; echo " + name + " > /name");
        ok(tallyman, "commit", "-c", "CMD [\"cat\", \"/name\"]", maker, name);
        ok(tallyman, "rm", maker);
        return ok(tallyman, "inspect", "--format", "{{.Id}}", name).stdout().trim();
    }

    /** The event types on the record, oldest first, whose type starts with the prefix. */
    static List<String> eventTypes(TestDatabase database, String prefix) {
        List<String> types = new ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select type from events where type like '" + prefix + "%' order by position")) {
            while (rs.next()) {
                types.add(rs.getString(1));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return types;
    }

    /** Payloads of the events of one type, as JSON text, oldest first. */
    static List<String> payloads(TestDatabase database, String type) {
        List<String> payloads = new ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select payload from events where type = '" + type + "' order by position")) {
            while (rs.next()) {
                payloads.add(rs.getString(1));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return payloads;
    }

    /** Every payload on the record, for checks that a secret appears in none. */
    static String allPayloads(TestDatabase database) {
        StringBuilder all = new StringBuilder();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select payload from events")) {
            while (rs.next()) {
                all.append(rs.getString(1)).append('\n');
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return all.toString();
    }

    /** The names in a folder of the data root (blobs, driver layers), sorted; none when it does not exist. */
    static TreeSet<String> names(Path folder) {
        TreeSet<String> names = new TreeSet<>();
        if (!Files.isDirectory(folder)) {
            return names;
        }
        try (var list = Files.list(folder)) {
            list.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /** Content-store blobs (configs and layer tars) of an instance. */
    static TreeSet<String> blobs(TallymanProcess tallyman) {
        return names(tallyman.dataRoot.resolve("images/blobs/sha256"));
    }

    /** overlay2's layers of an instance (image layers by chain id, container layers by container id). */
    static TreeSet<String> driverLayers(TallymanProcess tallyman) {
        return names(tallyman.dataRoot.resolve("overlay2/layers"));
    }
}
