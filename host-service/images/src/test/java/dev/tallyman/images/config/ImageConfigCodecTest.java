package dev.tallyman.images.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.reference.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageConfigCodecTest {
    private static final Instant CREATED = Instant.parse("2026-01-02T03:04:05.123456789Z");
    private static final Digest LAYER = Digest.ofHex("a".repeat(64));

    private static ImageConfig full() {
        ContainerConfig run = ContainerConfig.EMPTY
                .withUser("nobody")
                .withEnv(List.of("PATH=/bin", "A=1"))
                .withCmd(List.of("sh"))
                .withEntrypoint(List.of("/init"))
                .withWorkingDir("/w")
                .withLabels(Map.of("z", "1", "a", "2"))
                .withExposedPorts(Set.of("80/tcp", "53/udp"))
                .withVolumes(Set.of("/data"))
                .withStopSignal("SIGINT")
                .withOnBuild(List.of("RUN true"))
                .withHealthcheck(Optional.of(new Healthcheck(List.of("CMD-SHELL", "true"), Duration.ofSeconds(5),
                        Duration.ZERO, Duration.ofMillis(1500), Duration.ZERO, 2)));
        return new ImageConfig("amd64", "linux", Optional.of(CREATED), "me", "imported", run, List.of(LAYER),
                List.of(new HistoryEntry(Optional.of(CREATED), "", "imported", "", false),
                        new HistoryEntry(Optional.of(CREATED), "/bin/sh -c #(nop)  CMD [\"sh\"]", "", "", true)));
    }

    @Test
    void roundTripsEveryField() {
        ImageConfig config = full();

        assertThat(ImageConfigCodec.decode(ImageConfigCodec.encode(config))).isEqualTo(config);
    }

    @Test
    void equalConfigsGiveEqualBytesWhateverTheInsertionOrder() {
        ImageConfig a = full();
        ImageConfig b = new ImageConfig(a.architecture(), a.os(), a.created(), a.author(), a.comment(),
                a.config().withLabels(Map.of("a", "2", "z", "1")).withExposedPorts(Set.of("53/udp", "80/tcp")),
                a.diffIds(), a.history());

        assertThat(ImageConfigCodec.encode(b)).isEqualTo(ImageConfigCodec.encode(a));
    }

    @Test
    void writesTheOciShape() {
        String json = new String(ImageConfigCodec.encode(full()), StandardCharsets.UTF_8);

        assertThat(json).startsWith("{\"architecture\":\"amd64\",\"author\":\"me\",\"comment\":\"imported\",\"config\":{\"User\":\"nobody\",");
        assertThat(json).contains("\"ExposedPorts\":{\"53/udp\":{},\"80/tcp\":{}}");
        assertThat(json).contains("\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":5000000000,\"StartPeriod\":1500000000,\"Retries\":2}");
        assertThat(json).contains("\"created\":\"2026-01-02T03:04:05.123456789Z\"");
        assertThat(json).contains("\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + "a".repeat(64) + "\"]}");
        assertThat(json).contains("{\"created\":\"2026-01-02T03:04:05.123456789Z\",\"created_by\":\"/bin/sh -c #(nop)  CMD [\\\"sh\\\"]\",\"empty_layer\":true}");
    }

    @Test
    void readsDockerConfigsWithFieldsWeDoNotKeep() {
        String docker = """
                {"architecture":"amd64","config":{"Hostname":"","Env":["PATH=/usr/bin"],"Cmd":["sh"],"Image":"sha256:x",
                "Volumes":null,"Labels":null,"OnBuild":null},"container":"abc","created":"2023-05-19T20:19:23.123+02:00",
                "docker_version":"20.10.23","history":[{"created":"2023-05-19T20:19:22Z","created_by":"/bin/sh -c #(nop) ADD file:x in / "}],
                "os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}
                """.formatted("b".repeat(64));

        ImageConfig config = ImageConfigCodec.decode(docker.getBytes(StandardCharsets.UTF_8));

        assertThat(config.created()).contains(Instant.parse("2023-05-19T18:19:23.123Z"));
        assertThat(config.config().cmd()).containsExactly("sh");
        assertThat(config.config().labels()).isEmpty();
        assertThat(config.diffIds()).containsExactly(Digest.ofHex("b".repeat(64)));
        assertThat(config.history().get(0).createdBy()).isEqualTo("/bin/sh -c #(nop) ADD file:x in / ");
    }

    @Test
    void refusesJsonThatIsNotAConfig() {
        assertThatThrownBy(() -> ImageConfigCodec.decode("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ImageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.INVALID_PARAMETER))
                .hasMessageStartingWith("decode image config:");
    }
}
