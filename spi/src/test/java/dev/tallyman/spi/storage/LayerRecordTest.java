package dev.tallyman.spi.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LayerRecordTest {

    record Case(String description, LayerRecord record) {
    }

    static Stream<Case> records() {
        LayerId id = LayerId.of("abc123");
        return Stream.of(
                new Case("base image layer", new LayerRecord(id, Optional.empty(), Optional.of("sha256:" + "1".repeat(64)), 42, false, Map.of())),
                new Case("image layer on a parent", new LayerRecord(id, Optional.of(LayerId.of("parent")), Optional.of("sha256:" + "2".repeat(64)), 7, false, Map.of())),
                new Case("writable layer with a driver extra", new LayerRecord(id, Optional.of(LayerId.of("parent")), Optional.empty(), 0, true, Map.of("link", "ABCDEFGH"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    void theMetadataFileReadsBackAsWritten(Case c) {
        assertThat(LayerRecord.parse(c.record().id(), c.record().format())).isEqualTo(c.record());
    }

    @Test
    void writeReplacesTheFileWholeAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        LayerRecord record = new LayerRecord(LayerId.of("l1"), Optional.empty(), Optional.empty(), 3, true, Map.of());
        record.write(dir);
        record.write(dir);
        assertThat(LayerRecord.read(LayerId.of("l1"), dir)).isEqualTo(record);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly(LayerRecord.FILE);
        }
    }
}
