package dev.tallyman.runtime.exec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tallyman.runtime.oci.SpecificationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExecProcessSpecTest {
    static final ObjectMapper JSON = new ObjectMapper();
    Path rootfs;

    @BeforeEach
    void makeRootfs() throws IOException {
        rootfs = Files.createTempDirectory("exec-spec-test");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\napp:x:1001:\nextra:x:2000:app\n");
    }

    @AfterEach
    void removeRootfs() throws IOException {
        try (Stream<Path> paths = Files.walk(rootfs)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    static ObjectNode containerProcess() throws IOException {
        return (ObjectNode) JSON.readTree("""
                {"terminal": false, "user": {"uid": 5, "gid": 6}, "args": ["sleep", "100"],
                 "env": ["PATH=/bin", "HOSTNAME=box", "KEEP=1", "DROP=1"], "cwd": "/srv",
                 "capabilities": {"bounding": ["CAP_CHOWN"]}, "noNewPrivileges": true}""");
    }

    static List<String> strings(ObjectNode node, String field) {
        List<String> result = new ArrayList<>();
        node.get(field).forEach(e -> result.add(e.asText()));
        return result;
    }

    @Test
    void keepsTheContainersProcessButTheCommand() throws IOException {
        ObjectNode process = ExecProcessSpec.build(containerProcess(), rootfs, ExecSpec.of("ls", "-l"));
        assertThat(strings(process, "args")).containsExactly("ls", "-l");
        assertThat(process.get("terminal").asBoolean()).isFalse();
        assertThat(process.get("cwd").asText()).isEqualTo("/srv");
        assertThat(process.get("user").get("uid").asInt()).isEqualTo(5);
        assertThat(process.get("user").get("gid").asInt()).isEqualTo(6);
        assertThat(process.get("noNewPrivileges").asBoolean()).isTrue();
        assertThat(process.get("capabilities").get("bounding").get(0).asText()).isEqualTo("CAP_CHOWN");
        assertThat(strings(process, "env")).containsExactly("PATH=/bin", "HOSTNAME=box", "KEEP=1", "DROP=1");
    }

    @Test
    void execEnvironmentReplacesAppendsAndRemoves() throws IOException {
        ExecSpec spec = new ExecSpec(List.of("env"), List.of("KEEP=2", "NEW=x", "DROP"), "", "", true, true, false);
        ObjectNode process = ExecProcessSpec.build(containerProcess(), rootfs, spec);
        assertThat(strings(process, "env"))
                .containsExactly("TERM=xterm", "PATH=/bin", "HOSTNAME=box", "KEEP=2", "NEW=x");
        assertThat(process.get("terminal").asBoolean()).isTrue();
    }

    @Test
    void aContainerTermWinsOverTheTerminalDefault() {
        assertThat(ExecProcessSpec.environment(List.of("TERM=xterm", "TERM=vt100"), List.of()))
                .containsExactly("TERM=vt100");
    }

    @Test
    void userAndDirectoryOfTheExecApply() throws IOException {
        ExecSpec spec = new ExecSpec(List.of("id"), List.of(), "app", "/tmp", false, false, false);
        ObjectNode process = ExecProcessSpec.build(containerProcess(), rootfs, spec);
        assertThat(process.get("cwd").asText()).isEqualTo("/tmp");
        assertThat(process.get("user").get("uid").asInt()).isEqualTo(1000);
        assertThat(process.get("user").get("gid").asInt()).isEqualTo(1001);
        assertThat(process.get("user").get("additionalGids").get(0).asInt()).isEqualTo(2000);

        ObjectNode numeric = ExecProcessSpec.build(containerProcess(), rootfs,
                new ExecSpec(List.of("id"), List.of(), "7:8", "", false, false, false));
        assertThat(numeric.get("user").get("uid").asInt()).isEqualTo(7);
        assertThat(numeric.get("user").get("gid").asInt()).isEqualTo(8);
        assertThat(numeric.get("user").has("additionalGids")).isFalse();
    }

    @Test
    void anUnknownUserFailsWithDockersText() {
        assertThatThrownBy(() -> ExecProcessSpec.build(containerProcess(), rootfs,
                new ExecSpec(List.of("id"), List.of(), "nobody", "", false, false, false)))
                .isInstanceOf(SpecificationException.class)
                .hasMessage("unable to find user nobody: no matching entries in passwd file");
    }

    @Test
    void theContainersProcessIsLeftAlone() throws IOException {
        ObjectNode container = containerProcess();
        String before = container.toString();
        ExecProcessSpec.build(container, rootfs, new ExecSpec(List.of("x"), List.of("A=1"), "app", "/", true, true,
                false));
        assertThat(container.toString()).isEqualTo(before);
    }
}
