package dev.tallyman.host.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tallyman.audit.store.Actor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyFilesTest {
    @TempDir
    Path dir;

    private static final Caller ROOT = new Caller(Actor.socket(0, 1, "root"), Set.of(0));
    private static final Caller NOBODY = new Caller(Actor.socket(65534, 2, "nobody"), Set.of(65534));
    private static final RouteClass LOGS = RouteTable.classify("GET", "/containers/:name/logs");
    private static final RouteClass CREATE = RouteTable.classify("POST", "/containers/create");

    private Path write(String text) throws IOException {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void theShippedExamplesRead() {
        assertTrue(PolicyFiles.audit(Optional.of("../../ops/policy/audit-policy.yaml")).isPresent());
        assertTrue(PolicyFiles.access(Optional.of("../../ops/policy/access-policy.yaml")).isPresent());
    }

    @Test
    void firstMatchingAuditRuleGivesTheLevel() throws IOException {
        AuditPolicy policy = PolicyFiles.audit(Optional.of(write("""
                rules:
                  - name: root-quiet
                    level: None
                    actors: {uids: [0]}
                  - name: reads
                    level: Metadata
                    operations: [logs, inspect, list]
                """).toString())).orElseThrow();
        assertEquals(AuditLevel.None, policy.levelFor(ROOT, LOGS));
        assertEquals(AuditLevel.Metadata, policy.levelFor(NOBODY, LOGS));
        assertEquals(AuditLevel.None, policy.levelFor(NOBODY, CREATE));
    }

    @Test
    void accessRulesDenyByGroupAndCondition() throws IOException {
        AccessPolicy policy = PolicyFiles.access(Optional.of(write("""
                rules:
                  - name: auditors-read-only
                    actors: {uids: [65534]}
                    access: write
                    effect: deny
                    message: auditors may only read
                  - name: no-privileged
                    actors: {groups: ["0"]}
                    kinds: [container]
                    operations: [create]
                    when: {privileged: true}
                    effect: deny
                """).toString())).orElseThrow();
        assertEquals(Optional.empty(), policy.decide(NOBODY, LOGS, RequestFacts.NONE));
        assertEquals("authorization denied by policy rule 'auditors-read-only': auditors may only read",
                policy.decide(NOBODY, CREATE, RequestFacts.NONE).orElseThrow().message());
        assertEquals(Optional.empty(), policy.decide(ROOT, CREATE, RequestFacts.NONE));
        assertEquals("authorization denied by policy rule 'no-privileged': container create with privileged mode is not allowed",
                policy.decide(ROOT, CREATE, new RequestFacts(true, false, false)).orElseThrow().message());
    }

    record Bad(String description, String text, String expected) {
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                new Bad("unknown kind", "rules: [{name: a, level: Metadata, kinds: [contaner]}]", "unknown kind 'contaner'"),
                new Bad("unknown operation", "rules: [{name: a, level: Metadata, operations: [lgos]}]", "unknown operation 'lgos'"),
                new Bad("bad level", "rules: [{name: a, level: Everything}]", "level must be None, Metadata or Request"),
                new Bad("no name", "rules: [{level: Metadata}]", "rule 1: name is required"),
                new Bad("unknown field", "rules: [{name: a, level: Metadata, kind: [container]}]", "Unrecognized field \"kind\""),
                new Bad("bad pattern", "redact: {envNames: ['(']}", "bad pattern '('"),
                new Bad("not yaml", "rules: [", "audit policy"),
                new Bad("twice", "rules: [{name: a, level: None}, {name: a, level: None}]", "'a' is used twice"))
                .map(b -> Arguments.of(b.description(), b.text(), b.expected()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void aBadAuditPolicyIsNamed(String description, String text, String expected) throws IOException {
        Path file = write(text);
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyFiles.audit(Optional.of(file.toString())));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aBadAccessEffectIsNamed() throws IOException {
        Path file = write("rules: [{name: x, effect: maybe}]");
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyFiles.access(Optional.of(file.toString())));
        assertTrue(e.getMessage().contains("rule 1 ('x'): effect must be allow or deny"), e.getMessage());
    }

    @Test
    void groupsAreNamedByNameOrNumber() {
        assertEquals(0, GroupNames.gidOf("root"));
        assertEquals(4242, GroupNames.gidOf("4242"));
        assertEquals(null, GroupNames.gidOf("no-such-group-here"));
        ActorMatch rootGroup = new ActorMatch(null, null, java.util.List.of("root"), null);
        assertTrue(rootGroup.matches(ROOT));
        assertTrue(!rootGroup.matches(NOBODY));
    }

    @Test
    void aMissingFileIsNamed() {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyFiles.access(Optional.of("/nonexistent/p.yaml")));
        assertTrue(e.getMessage().startsWith("access policy /nonexistent/p.yaml"), e.getMessage());
    }
}
