package dev.tallyman.network.bridge;

import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkDriverProvider;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registers {@link BridgeDriver} as {@code bridge}. Options: {@code nft-table} (default {@code tallyman}),
 * {@code ip} and {@code nft} (the programs, default found on {@code PATH}).
 */
public final class BridgeProvider implements NetworkDriverProvider {

    @Override
    public String spiVersion() {
        return dev.tallyman.spi.SpiVersion.CURRENT;
    }

    @Override
    public String name() {
        return BridgeDriver.NAME;
    }

    @Override
    public Optional<String> probe() {
        List<String> missing = new ArrayList<>();
        if (onPath("ip").isEmpty()) {
            missing.add("the ip program (iproute2) is not on PATH");
        }
        if (onPath("nft").isEmpty()) {
            missing.add("the nft program (nftables) is not on PATH");
        }
        if (!Files.isDirectory(Path.of("/sys/module/bridge")) && !kernelCanLoad("bridge")) {
            missing.add("the kernel has no bridge support (module bridge not loaded: modprobe bridge)");
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", missing));
    }

    @Override
    public NetworkDriver create(Path root, Map<String, String> options) {
        BridgeDriver driver = new BridgeDriver(BridgeConfig.fromOptions(options));
        driver.writeSkeleton();
        return driver;
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * A module not loaded yet is loaded by the kernel when the first bridge is made, if it is built in
     * ({@code modules.builtin}) or installed ({@code modules.dep}).
     */
    private static boolean kernelCanLoad(String module) {
        try {
            String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
            for (String list : List.of("modules.builtin", "modules.dep")) {
                Path file = Path.of("/lib/modules", release, list);
                if (Files.exists(file) && Files.readAllLines(file).stream()
                        .anyMatch(l -> l.contains("/" + module + ".ko"))) {
                    return true;
                }
            }
            return false;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
