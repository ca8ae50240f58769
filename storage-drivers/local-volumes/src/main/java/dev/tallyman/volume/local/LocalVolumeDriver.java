package dev.tallyman.volume.local;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.volume.VolumeDriver;
import dev.tallyman.spi.volume.VolumeInfo;
import dev.tallyman.spi.volume.VolumeMount;
import dev.tallyman.spi.volume.VolumeSpec;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Docker's {@code local} volume driver: each volume is a folder {@code <root>/<name>} holding its data in
 * {@code _data} (the mountpoint) and its options in {@code opts.properties}.
 *
 * <p>Creation builds the folder under a hidden name and renames it into place; removal renames it into the hidden
 * {@code .removing} folder before deleting. Either rename is one atomic step, so after a crash a volume is either
 * whole and listed or not listed at all; leftovers of both kinds are cleared when the driver starts.
 */
public final class LocalVolumeDriver implements VolumeDriver {
    static final String NAME = "local";
    static final String DATA = "_data";
    static final String OPTIONS = "opts.properties";
    private static final String CREATING = ".creating-";
    private static final String REMOVING = ".removing";

    private final Path root;

    public LocalVolumeDriver(LocalVolumeConfig config) {
        this.root = config.root();
        try {
            Files.createDirectories(root);
            // Docker's volumes folder is 0701: others may reach a known mountpoint but not list the volumes.
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx-----x"));
            clearLeftovers();
        } catch (IOException e) {
            throw new UncheckedIOException("local: open " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized VolumeInfo create(VolumeSpec spec) {
        Optional<VolumeInfo> existing = inspect(spec.name());
        if (existing.isPresent()) {
            return existing.get();
        }
        LocalVolumeOptions.validate(spec.name(), spec.options());
        Path staging = root.resolve(CREATING + spec.name() + "-" + UUID.randomUUID());
        Instant created = Instant.now();
        try {
            Files.createDirectories(staging.resolve(DATA));
            Files.setPosixFilePermissions(staging.resolve(DATA), PosixFilePermissions.fromString("rwxr-xr-x"));
            Properties props = new Properties();
            props.setProperty("created", created.toString());
            spec.options().forEach((k, v) -> props.setProperty("opt." + k, v));
            try (Writer out = Files.newBufferedWriter(staging.resolve(OPTIONS), StandardCharsets.UTF_8)) {
                props.store(out, "local volume " + spec.name());
            }
            Files.move(staging, folder(spec.name()), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(staging);
            throw new DriverException(DriverException.Kind.SYSTEM, NAME, "create volume", spec.name(), e);
        }
        return read(spec.name()).orElseThrow();
    }

    @Override
    public Optional<VolumeInfo> inspect(String name) {
        if (!VolumeSpec.isValidName(name)) {
            return Optional.empty();
        }
        return read(name);
    }

    @Override
    public List<VolumeInfo> list() {
        List<VolumeInfo> all = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                if (VolumeSpec.isValidName(name)) {
                    read(name).ifPresent(all::add);
                }
            }
        } catch (IOException e) {
            throw new DriverException(DriverException.Kind.SYSTEM, NAME, "list volumes", root.toString(), e);
        }
        return all;
    }

    @Override
    public VolumeMount mount(String name) {
        VolumeInfo info = require(name, "mount volume");
        LocalVolumeOptions options = new LocalVolumeOptions(info.options());
        return new VolumeMount(info.mountpoint(), options.mount().map(List::of).orElse(List.of()));
    }

    @Override
    public synchronized void remove(String name) {
        if (inspect(name).isEmpty()) {
            return;
        }
        Path folder = folder(name);
        try {
            Optional<String> mounted = mountUnder(folder);
            if (mounted.isPresent()) {
                throw new DriverException(DriverException.Kind.IN_USE, NAME, "remove volume", name,
                        "still mounted at " + mounted.get());
            }
            Path trash = root.resolve(REMOVING);
            Files.createDirectories(trash);
            Path doomed = trash.resolve(name + "-" + UUID.randomUUID());
            Files.move(folder, doomed, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(doomed);
        } catch (IOException e) {
            throw new DriverException(DriverException.Kind.SYSTEM, NAME, "remove volume", name, e);
        }
    }

    @Override
    public long usage(String name) {
        VolumeInfo info = require(name, "measure volume");
        long[] bytes = {0};
        Set<Object> seen = new HashSet<>();
        try {
            Files.walkFileTree(info.mountpoint(), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    // Hard links count once, as du does.
                    Object key = attrs.fileKey();
                    if (attrs.isRegularFile() && (key == null || seen.add(key))) {
                        bytes[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new DriverException(DriverException.Kind.SYSTEM, NAME, "measure volume", name, e);
        }
        return bytes[0];
    }

    private VolumeInfo require(String name, String operation) {
        return inspect(name).orElseThrow(() ->
                new DriverException(DriverException.Kind.NOT_FOUND, NAME, operation, name, "no such volume"));
    }

    private Path folder(String name) {
        return root.resolve(name);
    }

    private Optional<VolumeInfo> read(String name) {
        Path folder = folder(name);
        Path file = folder.resolve(OPTIONS);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // removed meanwhile
        } catch (IOException e) {
            throw new DriverException(DriverException.Kind.SYSTEM, NAME, "read volume", name, e);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String key : props.stringPropertyNames().stream().sorted().toList()) {
            if (key.startsWith("opt.")) {
                options.put(key.substring(4), props.getProperty(key));
            }
        }
        Instant created = Instant.parse(props.getProperty("created", Instant.EPOCH.toString()));
        return Optional.of(new VolumeInfo(name, folder.resolve(DATA), options, created));
    }

    /** A mount at or below {@code folder}: removing it would delete what the mount shows, someone else's data. */
    private static Optional<String> mountUnder(Path folder) throws IOException {
        String prefix = folder.toRealPath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] fields = line.split(" ", 6);
            if (fields.length >= 5) {
                String point = unescape(fields[4]);
                if (point.equals(prefix) || point.startsWith(prefix + "/")) {
                    return Optional.of(point);
                }
            }
        }
        return Optional.empty();
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** Half-made volumes of a crashed create, and removed ones whose deletion a crash cut short. */
    private void clearLeftovers() throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString();
                if (name.startsWith(CREATING) || name.equals(REMOVING)) {
                    if (mountUnder(dir).isEmpty()) {
                        deleteTree(dir);
                    }
                }
            }
        }
    }

    /** Deletes a tree without following symbolic links out of it. */
    private static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteQuietly(Path top) {
        try {
            deleteTree(top);
        } catch (IOException ignored) {
            // Cleared when the driver starts next.
        }
    }
}
