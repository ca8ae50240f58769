package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A 1 GiB build context builds on a service whose heap is capped at 128 MiB: the context is streamed to disk
 * and unpacked there, never held in memory whole.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildLargeContextIT {
    private static final long GIB = 1L << 30;
    private TestDatabase database;
    private TallymanProcess tallyman;
    private final Path ctx = Path.of("target/build-it/large").toAbsolutePath();

    @BeforeAll
    void start() throws Exception {
        database = new TestDatabase();
        tallyman = new TallymanProcess("build-large", database, "overlay2").withEnv("JAVA_TOOL_OPTIONS", "-Xmx128m");
        tallyman.start();
        assertThat(tallyman.docker("import", BusyboxTar.get().toString(), "busybox:latest").exitCode()).isZero();
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nCOPY small.txt /small.txt\nCMD [\"cat\", \"/small.txt\"]\n");
        Files.writeString(ctx.resolve("small.txt"), "small\n");
        try (RandomAccessFile big = new RandomAccessFile(ctx.resolve("big.bin").toFile(), "rw")) {
            big.setLength(GIB); // sparse: no disk used here, but the CLI reads and sends every byte
        }
    }

    @AfterAll
    void stop() throws Exception {
        try {
            Files.deleteIfExists(ctx.resolve("big.bin"));
            if (tallyman != null) {
                tallyman.close();
            }
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    @Test
    void aGibibyteContextBuildsWithA128MibHeap() {
        long began = System.nanoTime();
        CommandResult result = tallyman.docker("build", "-t", "large", ctx.toString());
        long millis = (System.nanoTime() - began) / 1_000_000;
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("Sending build context to Docker daemon  1.074GB", "Successfully tagged large:latest");
        assertThat(tallyman.docker("run", "--rm", "large").stdout()).isEqualTo("small\n");
        System.out.println("1 GiB context built in " + millis + " ms with -Xmx128m");
        assertThat(tallyman.docker("ps", "-aq").stdout()).isEmpty();
    }
}
