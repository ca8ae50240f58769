package dev.tallyman.runtime;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerStartExceptionTest {
    record Case(String runcMessage, int exitCode) {
        @Override
        public String toString() {
            return exitCode + " for " + runcMessage;
        }
    }

    static Stream<Case> cases() {
        String prefix = "runc create failed: unable to start container process: ";
        return Stream.of(
                new Case(prefix + "exec: \"nosuchcmd\": executable file not found in $PATH", 127),
                new Case(prefix + "exec: \"/nope\": stat /nope: no such file or directory", 127),
                new Case(prefix + "exec: \"/etc/passwd\": permission denied", 126),
                new Case(prefix + "exec: \"/etc\": is a directory", 126),
                new Case(prefix + "error during container init: error setting rlimits", 128));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void exitCodeFollowsDocker(Case c) {
        ContainerStartException exception = ContainerStartException.fromRuntimeMessage(c.runcMessage());
        assertThat(exception.exitCode()).isEqualTo(c.exitCode());
        assertThat(exception.getMessage()).isEqualTo(c.runcMessage());
    }
}
