package dev.tallyman.runtime.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.spi.network.Attachment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class OciSpecWriterTest {
    static Path work;
    static Path rootfs;
    static HostProfile host;

    @BeforeAll
    static void makeFiles() throws IOException {
        work = Files.createTempDirectory("tallyman-spec-test");
        rootfs = work.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\napp:x:1000:\n");
        Path resolv = work.resolve("host-resolv.conf");
        Files.writeString(resolv, "nameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver ::1\nsearch example.test\n");
        Path hosts = work.resolve("host-hosts");
        Files.writeString(hosts, "127.0.0.1 localhost\n10.0.0.9 buildhost\n");
        host = new HostProfile(CapabilitiesTest.HOST_WITHOUT_SYS_RESOURCE, 20_000, resolv, hosts);
    }

    @AfterAll
    static void removeFiles() throws IOException {
        try (Stream<Path> paths = Files.walk(work)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    static ContainerSpecification.Builder spec() {
        return ContainerSpecification.builder("c0ffee1234567890", rootfs, ContainerProcess.of("echo", "hello"));
    }

    /** One conversion rule: a change to the default specification and what config.json must then say. */
    record Case(String description, UnaryOperator<ContainerSpecification.Builder> change, String pointer,
                String expectedJson) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> cases() {
        Attachment joined = new Attachment(Attachment.Mode.PATH, Optional.of(Path.of("/run/netns/n1")),
                List.of("172.18.0.2/16"));
        return Stream.of(
                new Case("spec version", b -> b, "/ociVersion", "\"1.0.2\""),
                new Case("rootfs by absolute path", b -> b, "/root/path", "\"" + rootfs + "\""),
                new Case("hostname defaults to 12 characters of the id", b -> b, "/hostname", "\"c0ffee123456\""),
                new Case("hostname as given", b -> b.hostname("web"), "/hostname", "\"web\""),
                new Case("read-only rootfs", b -> b.readonlyRootfs(true), "/root/readonly", "true"),
                new Case("loopback-only network gets a new namespace", b -> b, "/linux/namespaces",
                        "[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"},"
                                + "{\"type\":\"network\"}]"),
                new Case("host network shares the host's namespace", b -> b.network(Attachment.host()),
                        "/linux/namespaces",
                        "[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"}]"),
                new Case("driver namespace is joined by path", b -> b.network(joined), "/linux/namespaces/4",
                        "{\"type\":\"network\",\"path\":\"/run/netns/n1\"}"),
                new Case("default cgroups path", b -> b, "/linux/cgroupsPath", "\"/tallyman/c0ffee1234567890\""),
                new Case("user name resolved to numbers", b -> b.capAdd(List.of()),
                        "/process/user", "{\"uid\":0,\"gid\":0}"),
                new Case("default capabilities in bounding", b -> b, "/process/capabilities/bounding",
                        json(Capabilities.DOCKER_DEFAULT)),
                new Case("no inheritable capabilities", b -> b, "/process/capabilities/inheritable", null),
                new Case("privileged without SYS_RESOURCE the host lacks", b -> b.privileged(true),
                        "/process/capabilities/effective", json(allCapsBut("CAP_SYS_RESOURCE"))),
                new Case("masked paths", b -> b, "/linux/maskedPaths", json(OciSpecWriter.MASKED_PATHS)),
                new Case("privileged masks nothing", b -> b.privileged(true), "/linux/maskedPaths", null),
                new Case("privileged allows every device", b -> b.privileged(true), "/linux/resources/devices",
                        "[{\"allow\":true,\"access\":\"rwm\"}]"),
                new Case("devices deny all first", b -> b, "/linux/resources/devices/0",
                        "{\"allow\":false,\"access\":\"rwm\"}"),
                new Case("/dev/null allowed", b -> b, "/linux/resources/devices/3",
                        "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}"),
                new Case("sysfs read-only", b -> b, "/mounts/3/options",
                        "[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]"),
                new Case("shm of 64m", b -> b, "/mounts/6",
                        "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":"
                                + "[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=67108864\"]}"),
                new Case("resolv.conf bound from the bundle", b -> b, "/mounts/7",
                        "{\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\",\"source\":\"/bundle/resolv.conf\","
                                + "\"options\":[\"rbind\",\"rprivate\",\"rw\"]}"),
                new Case("hosts read-only with a read-only rootfs", b -> b.readonlyRootfs(true), "/mounts/9/options",
                        "[\"rbind\",\"rprivate\",\"ro\"]"),
                new Case("user bind mount after the defaults", b -> b.mount(Mount.bind("/srv/data", "/data", true)),
                        "/mounts/10",
                        "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\","
                                + "\"options\":[\"rbind\",\"rprivate\",\"ro\"]}"),
                new Case("open files clamped to the host's hard limit", b -> b, "/process/rlimits",
                        "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":20000,\"soft\":20000}]"),
                new Case("oom score adj 0", b -> b, "/process/oomScoreAdj", "0"),
                new Case("env merged", b -> b, "/process/env",
                        json(List.of("PATH=" + ProcessEnvironment.DEFAULT_PATH, "HOSTNAME=c0ffee123456"))),
                new Case("no resources without limits", b -> b, "/linux/resources/memory", null),
                new Case("limits when asked", b -> b.resources(new Resources(OptionalLong.of(1 << 26),
                        OptionalLong.of(512), OptionalLong.of(50_000), OptionalLong.of(100_000), OptionalLong.of(64))),
                        "/linux/resources",
                        "{\"devices\":" + devices() + ",\"memory\":{\"limit\":67108864},"
                                + "\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000},\"pids\":{\"limit\":64}}"),
                new Case("memory with swap", b -> b.resources(Resources.builder().memory(1 << 26).memorySwap(1 << 27)
                        .build()), "/linux/resources/memory", "{\"limit\":67108864,\"swap\":134217728}"),
                new Case("unlimited swap left out", b -> b.resources(Resources.builder().memory(1 << 26).memorySwap(-1)
                        .build()), "/linux/resources/memory", "{\"limit\":67108864}"),
                new Case("cpus become quota over a 100ms period", b -> b.resources(Resources.builder()
                        .nanoCpus(1_500_000_000L).build()), "/linux/resources/cpu",
                        "{\"quota\":150000,\"period\":100000}"),
                new Case("cpuset", b -> b.resources(Resources.builder().cpusetCpus("0-1").cpusetMems("0").build()),
                        "/linux/resources/cpu", "{\"cpus\":\"0-1\",\"mems\":\"0\"}"),
                new Case("pids limit 0 or less is unlimited", b -> b.resources(Resources.builder().pidsLimit(-5).build()),
                        "/linux/resources/pids", "{\"limit\":-1}"),
                new Case("ulimit nofile replaces the default", b -> b.ulimit(Ulimit.parse("nofile=1024:2048")),
                        "/process/rlimits", "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":2048,\"soft\":1024}]"),
                new Case("other ulimits come after the default", b -> b.ulimit(Ulimit.parse("core=-1")),
                        "/process/rlimits", "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":20000,\"soft\":20000},"
                                + "{\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551615,"
                                + "\"soft\":18446744073709551615}]"),
                new Case("init runs first with --", b -> b.init(true), "/process/args",
                        "[\"/sbin/docker-init\",\"--\",\"echo\",\"hello\"]"),
                new Case("init bound read-only", b -> b.init(true), "/mounts/10",
                        "{\"destination\":\"/sbin/docker-init\",\"type\":\"bind\","
                                + "\"source\":\"/usr/bin/tini-static\",\"options\":[\"bind\",\"ro\"]}"),
                new Case("tmpfs gets Docker's defaults", b -> b.tmpfs("/x", ""), "/mounts/10",
                        "{\"destination\":\"/x\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
                                + "\"options\":[\"noexec\",\"nosuid\",\"nodev\",\"rprivate\"]}"),
                new Case("tmpfs options override the defaults", b -> b.tmpfs("/x", "exec,size=64m,mode=1777"),
                        "/mounts/10/options",
                        "[\"nosuid\",\"nodev\",\"rprivate\",\"exec\",\"size=64m\",\"mode=1777\"]"),
                new Case("no init by default", b -> b, "/process/args", "[\"echo\",\"hello\"]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convertsToConfig(Case c) throws IOException {
        ContainerSpecification spec = c.change().apply(spec()).build();
        JsonNode config = new OciSpecWriter(host).config(spec, Path.of("/bundle"));
        JsonNode actual = config.at(c.pointer());
        if (c.expectedJson() == null) {
            assertThat(actual.isMissingNode()).as(c.pointer() + " = " + actual).isTrue();
        } else {
            // Compared as text: the writer puts longs where a parser reads ints.
            assertThat(actual.toString()).isEqualTo(new ObjectMapper().readTree(c.expectedJson()).toString());
        }
    }

    @Test
    void processFieldsFollowTheRequest() {
        ContainerProcess process = new ContainerProcess(List.of("sh", "-c", "id"), List.of("A=1"), "/tmp", "app",
                true, true);
        JsonNode config = new OciSpecWriter(host).config(
                ContainerSpecification.builder("p1", rootfs, process).build(), Path.of("/bundle"));
        assertThat(config.at("/process/terminal").asBoolean()).isTrue();
        assertThat(config.at("/process/noNewPrivileges").asBoolean()).isTrue();
        assertThat(config.at("/process/cwd").asText()).isEqualTo("/tmp");
        assertThat(config.at("/process/user/uid").asInt()).isEqualTo(1000);
        assertThat(config.at("/process/env").toString()).contains("\"A=1\"", "\"TERM=xterm\"");
    }

    @Test
    void writesBundleFiles() throws IOException {
        Path bundle = work.resolve("bundle-new");
        Attachment bridged = new Attachment(Attachment.Mode.PATH, Optional.of(Path.of("/run/netns/n1")),
                List.of("172.18.0.2/16"));
        Path config = new OciSpecWriter(host).write(spec().hostname("web").network(bridged).build(), bundle);

        assertThat(config).isEqualTo(bundle.resolve("config.json"));
        assertThat(new ObjectMapper().readTree(config.toFile()).at("/hostname").asText()).isEqualTo("web");
        assertThat(Files.readString(bundle.resolve("hostname"))).isEqualTo("web\n");
        assertThat(Files.readString(bundle.resolve("hosts"))).startsWith("127.0.0.1\tlocalhost\n")
                .endsWith("172.18.0.2\tweb\n");
        // The host's loopback resolvers are unreachable from another namespace.
        assertThat(Files.readString(bundle.resolve("resolv.conf")))
                .isEqualTo("nameserver 10.0.0.2\nsearch example.test\n");
    }

    @Test
    void hostNetworkCopiesHostFiles() throws IOException {
        Path bundle = work.resolve("bundle-host");
        new OciSpecWriter(host).write(spec().network(Attachment.host()).build(), bundle);
        assertThat(Files.readString(bundle.resolve("resolv.conf"))).isEqualTo(Files.readString(host.resolvConf()));
        assertThat(Files.readString(bundle.resolve("hosts"))).isEqualTo(Files.readString(host.hosts()));
    }

    private static List<String> allCapsBut(String missing) {
        List<String> all = new ArrayList<>(Capabilities.LINUX.stream().map(name -> "CAP_" + name).toList());
        all.remove(missing);
        return all;
    }

    private static String devices() {
        JsonNode config = new OciSpecWriter(host).config(spec().build(), Path.of("/bundle"));
        return config.at("/linux/resources/devices").toString();
    }

    private static String json(List<String> values) {
        try {
            return new ObjectMapper().writeValueAsString(values);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
