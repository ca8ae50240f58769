package dev.tallyman.host.plugins;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds small plugin jars for tests, the way an operator's build would: one provider class compiled with javac
 * against the SPI alone, listed in META-INF/services. The source is a test's own text, so each jar says in a
 * few lines what the plugin does wrong (an old SPI version, a throw at load, a reach for the service's classes).
 */
public final class PluginJars {
    private PluginJars() {
    }

    /**
     * @param service   the provider interface's name, e.g. {@code dev.tallyman.spi.network.NetworkDriverProvider}
     * @param className the provider class's name, in the default package-free form {@code plg.Name}
     * @param source    the provider's Java source
     */
    public static Path build(Path jar, String service, String className, String source) throws IOException {
        return build(jar, service, className, source, List.of(), "");
    }

    /** A jar of one class and no provider entry: a library a plugin depends on. */
    public static Path library(Path jar, String className, String source) throws IOException {
        return build(jar, null, className, source, List.of(), "");
    }

    /**
     * @param classpath       jars the source compiles against besides the SPI (a plugin's own libraries)
     * @param manifestClassPath the manifest's Class-Path, relative to the jar ("" for none)
     */
    public static Path build(Path jar, String service, String className, String source, List<Path> classpath,
                             String manifestClassPath) throws IOException {
        Path work = Files.createTempDirectory("plg-jar");
        try {
            Path src = work.resolve("src/" + className.replace('.', '/') + ".java");
            Files.createDirectories(src.getParent());
            Files.writeString(src, source);
            Path classes = Files.createDirectories(work.resolve("classes"));
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            StringBuilder cp = new StringBuilder(spiLocation().toString());
            classpath.forEach(p -> cp.append(java.io.File.pathSeparator).append(p));
            int status = javac.run(null, null, null, "--release", "17", "-cp", cp.toString(),
                    "-d", classes.toString(), src.toString());
            if (status != 0) {
                throw new IllegalStateException("javac failed for " + className);
            }
            Files.createDirectories(jar.getParent());
            java.util.jar.Manifest manifest = new java.util.jar.Manifest();
            manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
            if (!manifestClassPath.isEmpty()) {
                manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, manifestClassPath);
            }
            try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest);
                 Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    jarOut.putNextEntry(new JarEntry(classes.relativize(file).toString()));
                    jarOut.write(Files.readAllBytes(file));
                    jarOut.closeEntry();
                }
                if (service != null) {
                    jarOut.putNextEntry(new JarEntry("META-INF/services/" + service));
                    jarOut.write((className + "\n").getBytes(StandardCharsets.UTF_8));
                    jarOut.closeEntry();
                }
            }
            return jar;
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** A network provider with the given SPI version text, name, and bodies for probe() and the constructor. */
    public static String networkProvider(String className, String name, String spiVersion, String probeBody,
                                         String constructorBody) {
        int dot = className.lastIndexOf('.');
        String pkg = className.substring(0, dot);
        String simple = className.substring(dot + 1);
        return String.join("\n", List.of(
                "package " + pkg + ";",
                "import dev.tallyman.spi.network.*;",
                "import java.nio.file.Path;",
                "import java.util.*;",
                "public final class " + simple + " implements NetworkDriverProvider {",
                "  public " + simple + "() { " + constructorBody + " }",
                "  public String spiVersion() { return " + spiVersion + "; }",
                "  public String name() { return \"" + name + "\"; }",
                "  public Optional<String> probe() { " + probeBody + " }",
                "  public NetworkDriver create(Path root, Map<String, String> options) {",
                "    return new NetworkDriver() {",
                "      public String name() { return \"" + name + "\"; }",
                "      public void createNetwork(NetworkSpec n) { }",
                "      public void removeNetwork(NetworkSpec n) { }",
                "      public Attachment join(NetworkSpec n, Endpoint e) { return Attachment.loopbackOnly(); }",
                "      public void leave(NetworkSpec n, Endpoint e) { }",
                "    };",
                "  }",
                "}"));
    }

    /** probe(): empty when the service's classes are out of reach, else names the one it reached. */
    public static final String PROBE_REACHING_FOR_THE_SERVICE = String.join("\n", List.of(
            "for (String c : List.of(\"dev.tallyman.host.config.Engine\", \"dev.tallyman.host.plugins.DriverCatalog\",",
            "    \"io.quarkus.runtime.Quarkus\", \"org.postgresql.Driver\")) {",
            "  try { Class.forName(c); return Optional.of(\"reached the service's class \" + c); }",
            "  catch (ClassNotFoundException e) { }",
            "  try { Thread.currentThread().getContextClassLoader().loadClass(c);",
            "        return Optional.of(\"reached the service's class \" + c + \" through the context class loader\"); }",
            "  catch (ClassNotFoundException e) { }",
            "}",
            "return Optional.empty();"));

    private static Path spiLocation() {
        try {
            return Path.of(dev.tallyman.spi.network.NetworkDriverProvider.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
