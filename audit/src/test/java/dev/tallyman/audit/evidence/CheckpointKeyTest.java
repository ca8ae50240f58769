package dev.tallyman.audit.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Signing and checking checkpoints (issue 11): the key files, and every alteration a signature must refuse. */
class CheckpointKeyTest {
    private static final String HASH = "ab".repeat(32);
    private static final Instant AT = Instant.parse("2026-12-06T02:50:00.123456Z");

    @TempDir
    Path dir;

    @Test
    void aKeyIsMadeAtFirstUseWithThePrivateFileReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("config/checkpoint.key");
        CheckpointKey key = CheckpointKey.loadOrCreate(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(CheckpointKey.publicFile(file)).exists();
        assertThat(key.keyId()).matches("[0-9a-f]{16}");
        assertThat(dir.resolve("config/checkpoint.key.part")).doesNotExist();
    }

    @Test
    void aCheckpointSignedByTheKeyHoldsAfterTheKeyIsReadAgainAndWithThePublicFileAlone() {
        Path file = dir.resolve("checkpoint.key");
        Checkpoint checkpoint = CheckpointKey.loadOrCreate(file).sign(1000, HASH, AT);
        assertThat(CheckpointKey.loadOrCreate(file).check(checkpoint)).isEmpty();
        assertThat(CheckpointKey.publicOnly(CheckpointKey.publicFile(file)).check(checkpoint)).isEmpty();
    }

    record Alteration(String description, UnaryOperator<Checkpoint> change) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Alteration> alterations() {
        return Stream.of(
                new Alteration("another position", c -> new Checkpoint(c.position() + 1, c.headHash(), c.signedAt(), c.keyId(), c.signature())),
                new Alteration("another head hash", c -> new Checkpoint(c.position(), "cd".repeat(32), c.signedAt(), c.keyId(), c.signature())),
                new Alteration("another time", c -> new Checkpoint(c.position(), c.headHash(), c.signedAt().plusSeconds(1), c.keyId(), c.signature())),
                new Alteration("a flipped signature byte", c -> {
                    byte[] s = java.util.Base64.getDecoder().decode(c.signature());
                    s[5] ^= 1;
                    return new Checkpoint(c.position(), c.headHash(), c.signedAt(), c.keyId(), java.util.Base64.getEncoder().encodeToString(s));
                }),
                new Alteration("a signature that is not base64", c -> new Checkpoint(c.position(), c.headHash(), c.signedAt(), c.keyId(), "not base64!")));
    }

    @ParameterizedTest
    @MethodSource("alterations")
    void anAlteredCheckpointIsRefused(Alteration alteration) {
        CheckpointKey key = CheckpointKey.loadOrCreate(dir.resolve("checkpoint.key"));
        Checkpoint altered = alteration.change().apply(key.sign(1000, HASH, AT));
        assertThat(key.check(altered)).isPresent();
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsRefusedNamingBothKeys() {
        CheckpointKey ours = CheckpointKey.loadOrCreate(dir.resolve("ours.key"));
        CheckpointKey theirs = CheckpointKey.loadOrCreate(dir.resolve("theirs.key"));
        Checkpoint forged = theirs.sign(1000, HASH, AT);
        assertThat(ours.check(forged)).hasValueSatisfying(why -> assertThat(why).contains(theirs.keyId()).contains(ours.keyId()));
        // and one that claims our key id but was signed by theirs
        Checkpoint claimed = new Checkpoint(forged.position(), forged.headHash(), forged.signedAt(), ours.keyId(), forged.signature());
        assertThat(ours.check(claimed)).hasValue("signature does not match position, head hash and time");
    }

    @Test
    void theFileKeepsEveryCheckpointAndNamesALineThatIsNotOne() throws Exception {
        CheckpointKey key = CheckpointKey.loadOrCreate(dir.resolve("checkpoint.key"));
        CheckpointFile file = new CheckpointFile(dir.resolve("evidence/checkpoints.jsonl"));
        Checkpoint first = key.sign(1000, HASH, AT);
        Checkpoint second = key.sign(2000, "cd".repeat(32), AT.plusSeconds(60));
        file.append(first);
        file.append(second);
        Files.writeString(file.path(), "{\"position\": \"garbage\n", java.nio.file.StandardOpenOption.APPEND);
        List<CheckpointFile.Line> lines = file.read();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).checkpoint()).isEqualTo(first);
        assertThat(lines.get(1).checkpoint()).isEqualTo(second);
        assertThat(key.check(lines.get(1).checkpoint())).isEmpty();
        assertThat(lines.get(2).checkpoint()).isNull();
        assertThat(lines.get(2).number()).isEqualTo(3);
        assertThat(file.lastPosition()).isEqualTo(2000);
    }
}
