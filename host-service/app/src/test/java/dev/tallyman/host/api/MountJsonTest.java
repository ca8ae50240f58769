package dev.tallyman.host.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.audit.event.ContainerMount;
import dev.tallyman.host.api.json.ContainerCreateBody;
import dev.tallyman.host.commands.EngineException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The create body's Binds, Mounts and Volumes as the docker CLI 28 sends them for -v, --mount and -v /path. */
class MountJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    record Case(String description, String body, List<ContainerMount> expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> bodies() {
        return Stream.of(
                new Case("-v /data goes to Config.Volumes", """
                        {"Image":"busybox","Volumes":{"/data":{}},"HostConfig":{}}""",
                        List.of(new ContainerMount("volume", "", "/data", false, "", "", false, "", "volumes", ""))),
                new Case("--mount type=bind,src=/srv,dst=/www,readonly,bind-propagation=rslave", """
                        {"Image":"busybox","HostConfig":{"Mounts":[{"Type":"bind","Source":"/srv","Target":"/www","ReadOnly":true,
                        "BindOptions":{"Propagation":"rslave"}}]}}""",
                        List.of(new ContainerMount("bind", "/srv", "/www", true, "", "rslave", false, "", "mounts", ""))),
                new Case("--mount type=volume,src=cache,dst=/c,volume-nocopy", """
                        {"Image":"busybox","HostConfig":{"Mounts":[{"Type":"volume","Source":"cache","Target":"/c",
                        "VolumeOptions":{"NoCopy":true}}]}}""",
                        List.of(new ContainerMount("volume", "cache", "/c", false, "", "", true, "", "mounts", ""))),
                new Case("--mount type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770 (mode arrives as a number)", """
                        {"Image":"busybox","HostConfig":{"Mounts":[{"Type":"tmpfs","Target":"/t",
                        "TmpfsOptions":{"SizeBytes":67108864,"Mode":1016}}]}}""",
                        List.of(new ContainerMount("tmpfs", "", "/t", false, "", "", false, "size=65536k,mode=1770", "mounts", ""))),
                new Case("a bind and a Volumes entry for the same path: the bind wins", """
                        {"Image":"busybox","Volumes":{"/data":{}},"HostConfig":{"Binds":["/srv:/data"]}}""",
                        List.of(new ContainerMount("bind", "/srv", "/data", false, "", "rprivate", false, "", "binds", "/srv:/data"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void readsTheCreateBody(Case c) throws Exception {
        ContainerCreateBody body = JSON.readValue(c.body(), ContainerCreateBody.class);
        assertThat(MountJson.requested(body, body.hostConfig())).isEqualTo(c.expected());
    }

    @Test
    void unknownMountTypesAreRefused() throws Exception {
        ContainerCreateBody body = JSON.readValue("""
                {"Image":"busybox","HostConfig":{"Mounts":[{"Type":"npipe","Source":"x","Target":"/x"}]}}""", ContainerCreateBody.class);
        assertThatThrownBy(() -> MountJson.requested(body, body.hostConfig()))
                .isInstanceOf(EngineException.class).hasMessage("mount type unknown: \"npipe\"");
    }
}
