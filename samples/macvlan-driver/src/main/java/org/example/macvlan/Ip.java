package org.example.macvlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Runs iproute2's ip, on the host or inside a network namespace (with nsenter). */
final class Ip {
    private final String program;

    Ip(String program) {
        this.program = program;
    }

    /** The result of one run: exit status and the output of both streams. */
    record Result(int status, String output) {
        boolean ok() {
            return status == 0;
        }
    }

    static Optional<Path> find(String name) {
        if (name.contains("/")) {
            return Files.isExecutable(Path.of(name)) ? Optional.of(Path.of(name)) : Optional.empty();
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    Result onHost(String... args) {
        List<String> command = new ArrayList<>(List.of(program));
        command.addAll(List.of(args));
        return run(command);
    }

    Result inside(Path namespace, String... args) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + namespace, program));
        command.addAll(List.of(args));
        return run(command);
    }

    private static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return new Result(process.waitFor(), output);
        } catch (IOException e) {
            return new Result(127, String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, String.join(" ", command) + ": interrupted");
        }
    }
}
