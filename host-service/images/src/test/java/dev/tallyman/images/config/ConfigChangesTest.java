package dev.tallyman.images.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigChangesTest {
    private static final ContainerConfig BASE = ContainerConfig.EMPTY;

    record Case(String description, List<String> changes, UnaryOperator<ContainerConfig> expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> applied() {
        return Stream.of(
                new Case("CMD exec form", List.of("CMD [\"echo\", \"hi there\"]"),
                        c -> c.withCmd(List.of("echo", "hi there"))),
                new Case("CMD shell form", List.of("CMD echo $HOME && true"),
                        c -> c.withCmd(List.of("/bin/sh", "-c", "echo $HOME && true"))),
                new Case("CMD with a bad JSON array falls back to shell form", List.of("CMD [\"a\", 1]"),
                        c -> c.withCmd(List.of("/bin/sh", "-c", "[\"a\", 1]"))),
                new Case("lower-case instruction", List.of("cmd [\"sh\"]"), c -> c.withCmd(List.of("sh"))),
                new Case("ENTRYPOINT exec form", List.of("ENTRYPOINT [\"/bin/sh\"]"),
                        c -> c.withEntrypoint(List.of("/bin/sh"))),
                new Case("ENTRYPOINT shell form", List.of("ENTRYPOINT top -b"),
                        c -> c.withEntrypoint(List.of("/bin/sh", "-c", "top -b"))),
                new Case("CMD then ENTRYPOINT keeps CMD", List.of("CMD [\"a\"]", "ENTRYPOINT [\"b\"]"),
                        c -> c.withCmd(List.of("a")).withEntrypoint(List.of("b"))),
                new Case("ENV key=value pairs with quotes", List.of("ENV A=1 B=\"two words\" C='$A'"),
                        c -> c.withEnv(List.of("A=1", "B=two words", "C=$A"))),
                new Case("ENV legacy form keeps spaces", List.of("ENV GREETING hello  big world"),
                        c -> c.withEnv(List.of("GREETING=hello  big world"))),
                new Case("ENV expands earlier variables", List.of("ENV A=/opt", "ENV PATH=$A/bin:${A}/sbin B=${UNSET:-dflt}"),
                        c -> c.withEnv(List.of("A=/opt", "PATH=/opt/bin:/opt/sbin", "B=dflt"))),
                new Case("ENV replaces an existing key in place", List.of("ENV A=1 B=2", "ENV A=3"),
                        c -> c.withEnv(List.of("A=3", "B=2"))),
                new Case("ENV with escaped dollar", List.of("ENV A=\\$HOME"), c -> c.withEnv(List.of("A=$HOME"))),
                new Case("WORKDIR absolute", List.of("WORKDIR /srv/app/"), c -> c.withWorkingDir("/srv/app")),
                new Case("WORKDIR relative joins the previous one", List.of("WORKDIR /a", "WORKDIR b/../c"),
                        c -> c.withWorkingDir("/a/c")),
                new Case("WORKDIR expands", List.of("ENV D=/data", "WORKDIR $D/x"),
                        c -> c.withEnv(List.of("D=/data")).withWorkingDir("/data/x")),
                new Case("USER", List.of("USER nobody:nogroup"), c -> c.withUser("nobody:nogroup")),
                new Case("LABEL pairs", List.of("LABEL a=1 \"b c\"=\"d e\"", "LABEL a=2"),
                        c -> c.withLabels(Map.of("a", "2", "b c", "d e"))),
                new Case("LABEL legacy form", List.of("LABEL maintainer someone <a@b>"),
                        c -> c.withLabels(Map.of("maintainer", "someone <a@b>"))),
                new Case("EXPOSE ports, ranges and protocols", List.of("EXPOSE 80 53/UDP 8000-8002/tcp"),
                        c -> c.withExposedPorts(java.util.Set.of("80/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp"))),
                new Case("VOLUME JSON and words", List.of("VOLUME [\"/data\"]", "VOLUME /a /b"),
                        c -> c.withVolumes(java.util.Set.of("/data", "/a", "/b"))),
                new Case("STOPSIGNAL", List.of("STOPSIGNAL SIGKILL"), c -> c.withStopSignal("SIGKILL")),
                new Case("STOPSIGNAL number", List.of("STOPSIGNAL 9"), c -> c.withStopSignal("9")),
                new Case("ONBUILD kept as written", List.of("ONBUILD RUN echo hi"), c -> c.withOnBuild(List.of("RUN echo hi"))),
                new Case("HEALTHCHECK shell form with options",
                        List.of("HEALTHCHECK --interval=5s --timeout=1m30s --retries=3 CMD wget -q localhost"),
                        c -> c.withHealthcheck(Optional.of(new Healthcheck(List.of("CMD-SHELL", "wget -q localhost"),
                                Duration.ofSeconds(5), Duration.ofSeconds(90), Duration.ZERO, Duration.ZERO, 3)))),
                new Case("HEALTHCHECK exec form", List.of("HEALTHCHECK CMD [\"true\"]"),
                        c -> c.withHealthcheck(Optional.of(new Healthcheck(List.of("CMD", "true"),
                                Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0)))),
                new Case("HEALTHCHECK NONE", List.of("HEALTHCHECK NONE"),
                        c -> c.withHealthcheck(Optional.of(new Healthcheck(List.of("NONE"),
                                Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0)))),
                new Case("comments, blank lines and continuations", List.of("# note\n\nENV A=1 \\\n  B=2"),
                        c -> c.withEnv(List.of("A=1", "B=2"))),
                new Case("one change holding two lines", List.of("USER a\nWORKDIR /w"),
                        c -> c.withUser("a").withWorkingDir("/w")),
                new Case("no changes", List.of(), c -> c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("applied")
    void appliesChangesLikeDocker(Case c) {
        assertThat(ConfigChanges.apply(BASE, c.changes())).isEqualTo(c.expected().apply(BASE));
    }

    @Test
    void entrypointDropsAnInheritedCmd() {
        ContainerConfig base = BASE.withCmd(List.of("sh"));

        assertThat(ConfigChanges.apply(base, List.of("ENTRYPOINT [\"top\"]")).cmd()).isEmpty();
    }

    record Refused(String change, String message) {
        @Override
        public String toString() {
            return change;
        }
    }

    static Stream<Refused> refused() {
        return Stream.of(
                new Refused("RUN echo hi", "RUN is not a valid change command"),
                new Refused("from busybox", "from is not a valid change command"),
                new Refused("COPY a b", "COPY is not a valid change command"),
                new Refused("ENV", "ENV requires at least one argument"),
                new Refused("ENV A", "ENV must have two arguments"),
                new Refused("ENV A=1 B", "Syntax error - can't find = in \"B\". Must be of the form: name=value"),
                new Refused("LABEL =x", "LABEL names can not be blank"),
                new Refused("WORKDIR", "WORKDIR requires exactly one argument"),
                new Refused("EXPOSE abc", "invalid containerPort: abc"),
                new Refused("EXPOSE 80/xyz", "invalid proto: xyz"),
                new Refused("EXPOSE 70000", "invalid containerPort: 70000"),
                new Refused("VOLUME [\"\"]", "VOLUME specified can not be an empty string"),
                new Refused("STOPSIGNAL SIGNOPE", "Invalid signal: SIGNOPE"),
                new Refused("ONBUILD ONBUILD RUN x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
                new Refused("ONBUILD FROM x", "FROM isn't allowed as an ONBUILD trigger"),
                new Refused("HEALTHCHECK --interval=5s NONE", "options are not allowed with HEALTHCHECK NONE"),
                new Refused("HEALTHCHECK RUN x", "Unknown type \"RUN\" in HEALTHCHECK (try CMD)"),
                new Refused("HEALTHCHECK --interval=5 CMD x", "time: invalid duration \"5\""),
                new Refused("HEALTHCHECK --retries=-1 CMD x", "--retries cannot be negative (-1)"),
                new Refused("ENV A=\"unterminated", "unexpected end of statement while looking for matching double-quote"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesBadChangesWithDockersWords(Refused c) {
        assertThatThrownBy(() -> ConfigChanges.apply(BASE, List.of(c.change())))
                .isInstanceOfSatisfying(ImageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.INVALID_PARAMETER))
                .hasMessage(c.message());
    }

    @Test
    void anInvalidInstructionAnywhereRefusesTheWholeSetBeforeApplyingAny() {
        assertThatThrownBy(() -> ConfigChanges.apply(BASE, List.of("ENV A=1", "ADD x y")))
                .hasMessage("ADD is not a valid change command");
    }

    @Test
    void goDurationsParseAsGoDoes() {
        assertThat(GoDuration.parse("1h2m3.5s")).isEqualTo(Duration.ofMillis(3_723_500));
        assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> GoDuration.parse("1x")).hasMessage("time: invalid duration \"1x\"");
    }
}
