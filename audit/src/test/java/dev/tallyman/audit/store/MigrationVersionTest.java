package dev.tallyman.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A start skips Flyway when the schema is at NEWEST_MIGRATION: a new script must raise it, or it never runs. */
class MigrationVersionTest {

    @Test
    void theNewestMigrationNamedInCodeIsTheNewestScript() throws IOException {
        int newest;
        try (Stream<Path> scripts = Files.list(Path.of("src/main/resources/db/migration"))) {
            newest = scripts.map(p -> p.getFileName().toString())
                    .filter(name -> name.matches("V\\d+__.*\\.sql"))
                    .mapToInt(name -> Integer.parseInt(name.substring(1, name.indexOf("__"))))
                    .max().orElseThrow();
        }
        assertThat(JdbcEventStore.NEWEST_MIGRATION).isEqualTo(Integer.toString(newest));
    }
}
