package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd units in ops/systemd (issue 13), as ops/systemd/install renders them for this checkout, pass
 * {@code systemd-analyze verify}: every directive known, every program there. Skipped, saying why, on a machine
 * without systemd-analyze; the units' content is checked either way.
 */
class SystemdUnitsIT {
    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();

    @Test
    void theUnitsVerify(@TempDir Path dir) throws Exception {
        CommandResult installed = Shell.run(REPO.resolve("ops/systemd/install").toString(), dir.toString());
        assertThat(installed.exitCode()).as(installed.toString()).isZero();
        String service = Files.readString(dir.resolve("tallyman.service"));
        // what a container engine's unit must say, whatever the machine
        assertThat(service).contains("KillMode=process", "Delegate=yes", "ExecStart=" + REPO + "/ops/lib/service-java",
                "Requires=tallyman.socket");
        assertThat(service).doesNotContain("@REPO@").doesNotContainPattern("(?m)^(ProtectSystem|PrivateTmp|NoNewPrivileges)=");
        assertThat(Files.readString(dir.resolve("tallyman.socket"))).contains("ListenStream=/run/tallyman.sock", "SocketMode=0660");

        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")) || Files.isExecutable(Path.of("/bin/systemd-analyze")),
                "systemd-analyze is not installed here (package systemd): the units were rendered but not verified");
        CommandResult verify = Shell.run("systemd-analyze", "verify", dir.resolve("tallyman.service").toString(),
                dir.resolve("tallyman.socket").toString());
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        // verify exits 0 on an unknown directive, only warning about it
        assertThat(verify.stdout() + verify.stderr()).doesNotContain("Unknown", "ignoring", "not executable");
    }
}
