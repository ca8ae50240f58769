package dev.tallyman.host.api;

import dev.tallyman.host.api.json.VersionJson;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.Projections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** _ping, version and info: what clients ask before anything else. */
public final class SystemApi {
    /** Tallyman's own version: in the Server header, the platform name and a component of its own. */
    public static final String ENGINE_VERSION = "0.1.0";
    /**
     * The Docker Engine release whose API ({@link ApiVersion#CURRENT}) Tallyman serves, reported where clients
     * compare engine versions (Testcontainers refuses anything below 1.6.0). Tallyman's own version stands beside
     * it, where Docker puts platform details, so nobody mistakes one for the other.
     */
    public static final String DOCKER_COMPATIBLE_VERSION = "28.2.0";

    private final Projections projections;
    private final String storageDriver;
    private final Path dataRoot;
    private InfoSettings settings;

    public SystemApi(Projections projections, String storageDriver, Path dataRoot) {
        this.projections = projections;
        this.storageDriver = storageDriver;
        this.dataRoot = dataRoot;
    }

    private java.util.function.Supplier<Map<String, List<String>>> plugins =
            () -> Map.of("Volume", List.of("local"), "Network", List.of("bridge", "host", "null"), "Log", List.of("json-file"));
    private java.util.function.Supplier<List<String>> warnings = List::of;

    /** docker info's Plugins section (Volume, Network, Log) and its Warnings, from the drivers loaded (issue 14). */
    public SystemApi listPluginsFrom(java.util.function.Supplier<Map<String, List<String>>> plugins,
                                     java.util.function.Supplier<List<String>> warnings) {
        this.plugins = plugins;
        this.warnings = warnings;
        return this;
    }

    /** The configuration and host facts docker info reports (without them: Docker's defaults). */
    public SystemApi withSettings(InfoSettings settings) {
        this.settings = settings;
        return this;
    }

    public void register(ApiRouter router) {
        router.get("/_ping", this::ping);
        router.head("/_ping", this::ping);
        router.get("/version", this::version);
        router.get("/info", this::info);
    }

    /** Builder-Version 1 tells the CLI to use the classic builder (POST /build) rather than BuildKit. */
    private void ping(ApiRequest request) {
        request.response()
                .putHeader("Builder-Version", "1")
                .putHeader("Swarm", "inactive")
                .putHeader("Cache-Control", "no-cache, no-store, must-revalidate")
                .putHeader("Pragma", "no-cache");
        request.text(200, "OK");
    }

    private void version(ApiRequest request) {
        String kernel = System.getProperty("os.version");
        String go = "java" + Runtime.version().feature();
        Map<String, String> engine = new LinkedHashMap<>();
        engine.put("ApiVersion", ApiVersion.CURRENT.toString());
        engine.put("MinAPIVersion", ApiVersion.MINIMUM.toString());
        engine.put("GitCommit", "");
        engine.put("GoVersion", go);
        engine.put("Os", "linux");
        engine.put("Arch", "amd64");
        engine.put("KernelVersion", kernel);
        engine.put("BuildTime", "");
        engine.put("Experimental", "false");
        request.json(200, new VersionJson(
                new VersionJson.Platform("Tallyman " + ENGINE_VERSION + " (Docker Engine API " + ApiVersion.CURRENT + ")"),
                List.of(new VersionJson.Component("Engine", DOCKER_COMPATIBLE_VERSION, engine),
                        new VersionJson.Component("Tallyman", ENGINE_VERSION, Map.of("GitCommit", ""))),
                DOCKER_COMPATIBLE_VERSION, ApiVersion.CURRENT.toString(), ApiVersion.MINIMUM.toString(), "", go,
                "linux", "amd64", kernel, ""));
    }

    private void info(ApiRequest request) throws Exception {
        List<ContainerView> containers = projections.read(p -> List.copyOf(p.containers().all()));
        long running = containers.stream().filter(ContainerView::isRunning).count();
        int images = projections.read(p -> p.images().all().size());
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("ID", "tallyman");
        info.put("Containers", containers.size());
        info.put("ContainersRunning", running);
        info.put("ContainersPaused", 0);
        info.put("ContainersStopped", containers.size() - running);
        info.put("Images", images);
        info.put("Driver", storageDriver);
        info.put("DriverStatus", List.of(List.of("Backing Filesystem", "extfs")));
        info.put("DockerRootDir", dataRoot.toString());
        info.put("OperatingSystem", operatingSystem());
        info.put("OSType", "linux");
        info.put("Architecture", "x86_64");
        info.put("NCPU", Runtime.getRuntime().availableProcessors());
        info.put("MemTotal", Runtime.getRuntime().maxMemory());
        info.put("KernelVersion", System.getProperty("os.version"));
        info.put("ServerVersion", DOCKER_COMPATIBLE_VERSION);
        // Docker's info has no platform field; its product line is where `docker info` names the build.
        info.put("ProductLicense", "Tallyman " + ENGINE_VERSION);
        info.put("Name", java.net.InetAddress.getLocalHost().getHostName());
        info.put("CgroupDriver", "cgroupfs");
        info.put("CgroupVersion", "1");
        info.put("LoggingDriver", "json-file");
        info.put("DefaultRuntime", "runc");
        info.put("Runtimes", Map.of("runc", Map.of("path", "runc")));
        info.put("Plugins", plugins.get());
        info.put("SecurityOptions", List.of());
        info.put("Labels", List.of());
        info.put("ExperimentalBuild", false);
        info.put("Debug", false);
        info.put("IndexServerAddress", "https://index.docker.io/v1/");
        info.put("RegistryConfig", Map.of("IndexConfigs", Map.of(), "InsecureRegistryCIDRs", List.of("127.0.0.0/8")));
        if (settings != null) {
            InfoFields.applySettings(info, settings, dataRoot);
        }
        info.put("ContainersPaused", containers.stream().filter(c -> c.state() == dev.tallyman.host.projections.ContainerState.PAUSED).count());
        info.put("ContainersRunning", containers.stream().filter(c -> c.state() == dev.tallyman.host.projections.ContainerState.RUNNING).count());
        info.put("MemTotal", InfoFields.memTotal());
        info.put("DriverStatus", InfoFields.driverStatus(storageDriver, dataRoot));
        info.put("Swarm", Map.of("LocalNodeState", "inactive", "NodeID", "", "NodeAddr", "", "ControlAvailable", false, "Error", ""));
        info.put("Warnings", warnings.get());
        InfoFieldsByVersion.shape(info, request.version());
        request.json(200, info);
    }

    private static String operatingSystem() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (Exception e) {
            // Fall through to the generic name.
        }
        return "Linux";
    }
}
