package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Interactive use through a real pseudo-terminal (script(1)): run -it, exec -it and attach with typed input,
 * the terminal's size inside the container, exit codes passed on, and detaching with ctrl-p ctrl-q or
 * --detach-keys while the container runs on. Also piped stdin, exec's options and top.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InteractiveIT extends ContainerItSupport {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    @Override
    protected String instanceName() {
        return "interactive";
    }

    @Test
    @Order(1)
    void runWithTerminalTakesInputShowsOutputAndPassesTheExitCode() {
        try (Terminal t = Terminal.open(tallyman, 31, 97, "run -it --name tty1 busybox sh")) {
            int at = t.await("# ");
            t.type("stty size\r");
            at = t.await("31 97", at, LIMIT);
            t.type("echo result-$((6*7))\r");
            t.await("result-42", at, LIMIT);
            t.type("exit 3\r");
            assertThat(t.exitCode(LIMIT)).as(t.screen()).isEqualTo(3);
        }
        assertThat(inspect("{{.State.Status}} {{.State.ExitCode}} {{.Config.Tty}} {{.Config.OpenStdin}}", "tty1"))
                .isEqualTo("exited 3 true true");
        // With a terminal the log holds what the terminal showed, in one stream.
        assertThat(ok("logs", "tty1")).contains("result-42");
        ok("rm", "tty1");
    }

    @Test
    @Order(2)
    void execWithTerminal() {
        ok("run", "-d", "--name", "box", "busybox", "sleep", "600");
        try (Terminal t = Terminal.open(tallyman, 40, 132, "exec -it box sh")) {
            int at = t.await("# ");
            t.type("stty size; tty\r");
            at = t.await("40 132", at, LIMIT);
            t.await("/dev/pts/", at, LIMIT);
            t.type("exit 4\r");
            assertThat(t.exitCode(LIMIT)).as(t.screen()).isEqualTo(4);
        }
        assertThat(inspect("{{.State.Status}}", "box")).isEqualTo("running");
    }

    @Test
    @Order(3)
    void attachThenDetachLeavesTheContainerRunning() {
        ok("run", "-dit", "--name", "att", "busybox", "sh");
        try (Terminal t = Terminal.open(tallyman, 24, 80, "attach att")) {
            sleep(500);
            t.type("echo attached-$((1+1))\r");
            t.await("attached-2");
            t.type("\u0010\u0011");
            t.exitCode(LIMIT);
            assertThat(t.screen()).contains("read escape sequence");
        }
        assertThat(inspect("{{.State.Status}}", "att")).isEqualTo("running");

        try (Terminal t = Terminal.open(tallyman, 24, 80, "attach --detach-keys ctrl-x,x att")) {
            sleep(500);
            t.type("echo again-$((2+1))\r");
            t.await("again-3");
            t.type("\u0018x");
            t.exitCode(LIMIT);
            assertThat(t.screen()).contains("read escape sequence");
        }
        assertThat(inspect("{{.State.Status}}", "att")).isEqualTo("running");

        // The session is not lost: a third attach still talks to the same shell, and exit ends the container.
        try (Terminal t = Terminal.open(tallyman, 24, 80, "attach att")) {
            sleep(500);
            t.type("exit 9\r");
            assertThat(t.exitCode(LIMIT)).as(t.screen()).isEqualTo(9);
        }
        assertThat(inspect("{{.State.Status}} {{.State.ExitCode}}", "att")).isEqualTo("exited 9");
        ok("rm", "att");
    }

    @Test
    @Order(4)
    void resizeReachesTheContainersTerminal() {
        ok("run", "-dit", "--name", "sized", "busybox", "sh");
        CommandResult resized = tallyman.api("POST", "/v1.50/containers/sized/resize?h=33&w=111", null);
        assertThat(resized.stdout()).endsWith("200");
        assertThat(ok("exec", "sized", "sh", "-c", "stty size < /proc/1/fd/0").trim()).isEqualTo("33 111");
        assertThat(tallyman.api("POST", "/v1.50/containers/nosuch/resize?h=1&w=1", null).stdout()).endsWith("404");
        ok("rm", "-f", "sized");
    }

    @Test
    @Order(5)
    void pipedStdinReachesTheContainer() {
        CommandResult counted = tallyman.dockerWithInput("a\nb\nc\n".getBytes(StandardCharsets.UTF_8),
                "run", "-i", "--rm", "busybox", "sh", "-c", "wc -l; exit 2");
        assertThat(counted.exitCode()).as(counted.toString()).isEqualTo(2);
        assertThat(counted.stdout().trim()).isEqualTo("3");

        byte[] big = "x".repeat(300_000).getBytes(StandardCharsets.UTF_8);
        CommandResult bytes = tallyman.dockerWithInput(big, "run", "-i", "--rm", "busybox", "wc", "-c");
        assertThat(bytes.stdout().trim()).isEqualTo("300000");

        CommandResult execIn = tallyman.dockerWithInput("hello\n".getBytes(StandardCharsets.UTF_8),
                "exec", "-i", "box", "tr", "a-z", "A-Z");
        assertThat(execIn.stdout()).isEqualTo("HELLO\n");
    }

    @Test
    @Order(6)
    void execHonoursEnvUserWorkdirAndDetach() {
        assertThat(ok("exec", "-e", "FOO=bar", "-e", "TWO=2", "box", "sh", "-c", "echo $FOO$TWO")).isEqualTo("bar2\n");
        assertThat(ok("exec", "-u", "1234:5678", "box", "id")).contains("uid=1234").contains("gid=5678");
        assertThat(ok("exec", "-w", "/tmp", "box", "pwd")).isEqualTo("/tmp\n");
        long began = System.nanoTime();
        assertThat(ok("exec", "-d", "box", "sh", "-c", "sleep 1; touch /tmp/done")).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(1));
        eventually(Duration.ofSeconds(10), () -> tallyman.docker("exec", "box", "ls", "/tmp").stdout(), s -> s.contains("done"));

        assertThat(exits(5, "exec", "box", "sh", "-c", "echo out; echo err >&2; exit 5").stderr()).isEqualTo("err\n");
        // Docker answers an exec that cannot start with 126, whatever the cause, unlike run's 127.
        CommandResult missing = tallyman.docker("exec", "box", "nosuchcmd");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(126);
        assertThat(missing.stdout() + missing.stderr()).contains("executable file not found");
        assertThat(exits(1, "exec", "nosuch", "true").stderr()).contains("No such container: nosuch");
        String id = inspect("{{.Id}}", "box");
        assertThat(events(id)).contains("container.exec-started SOCKET root", "container.exec-died SOCKET root");
        assertThat(payloads(id, "container.exec-died")).anyMatch(p -> p.contains("\"exitCode\":5"));
    }

    @Test
    @Order(7)
    void topShowsTheProcessesWithPsOptions() {
        ok("exec", "-d", "box", "sleep", "300");
        String plain = ok("top", "box");
        assertThat(plain.lines().findFirst().orElseThrow()).contains("PID").contains("CMD");
        assertThat(plain).contains("sleep 600").contains("sleep 300");

        String columns = ok("top", "box", "-o", "pid,comm");
        assertThat(columns.lines().findFirst().orElseThrow().trim()).matches("PID\\s+COMMAND");
        assertThat(columns.lines().skip(1).map(String::trim)).allMatch(l -> l.matches("[0-9]+\\s+\\S+"));
        assertThat(columns).contains("sleep");

        String aux = ok("top", "box", "aux");
        assertThat(aux.lines().findFirst().orElseThrow()).contains("USER").contains("PID").contains("%CPU").contains("COMMAND");
        assertThat(aux).contains("sleep 600");

        assertThat(exits(1, "top", "box", "--no-such-ps-option").stderr()).contains("Error response from daemon");
        ok("stop", "-t", "0", "box");
        assertThat(exits(1, "top", "box").stderr()).contains("is not running");
        ok("rm", "box");
    }
}
