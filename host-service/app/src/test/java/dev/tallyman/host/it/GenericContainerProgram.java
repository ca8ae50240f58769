package dev.tallyman.host.it;

import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A program written against Testcontainers, run by {@link ClientTestcontainersIT} in a JVM of its own with DOCKER_HOST
 * pointing at Tallyman: it prints what it saw, one "key: value" line each, and dies without stopping its
 * container, so that only the resource reaper can clean up after it.
 */
public final class GenericContainerProgram {
    private GenericContainerProgram() {
    }

    public static void main(String[] args) throws Exception {
        DockerImageName image = DockerImageName.parse(args[0]);
        GenericContainer<?> web = new GenericContainer<>(image)
                .withCommand("sh", "-c", "mkdir -p /www && echo hello from busybox > /www/hello && echo serving"
                        + " && httpd -f -v -p 8080 -h /www")
                .withExposedPorts(8080)
                .waitingFor(Wait.forHttp("/hello").forStatusCode(200));
        web.start();
        System.out.println("session: " + DockerClientFactory.SESSION_ID);
        System.out.println("server version: " + DockerClientFactory.instance().getActiveApiVersion()
                + " " + DockerClientFactory.instance().client().versionCmd().exec().getVersion());
        System.out.println("container: " + web.getContainerId());
        String url = "http://" + web.getHost() + ":" + web.getMappedPort(8080) + "/hello";
        try (InputStream in = new URL(url).openStream()) {
            System.out.println("http: " + new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        }
        Container.ExecResult exec = web.execInContainer("sh", "-c", "echo $((6 * 7)); echo oops >&2; exit 3");
        System.out.println("exec: " + exec.getExitCode() + " " + exec.getStdout().trim() + " " + exec.getStderr().trim());
        System.out.println("logs: " + web.getLogs().lines().findFirst().orElse(""));
        // The other wait strategies people use: a log line, and a listening port (Testcontainers checks it from
        // inside the container with exec and from outside through the mapped port).
        try (GenericContainer<?> logged = new GenericContainer<>(image)
                .withCommand("sh", "-c", "sleep 1; echo ready to serve; sleep 600")
                .waitingFor(Wait.forLogMessage(".*ready to serve.*\\n", 1))) {
            logged.start();
            System.out.println("log wait: " + logged.isRunning());
        }
        try (GenericContainer<?> listening = new GenericContainer<>(image)
                .withCommand("nc", "-ll", "-p", "9000", "-e", "cat")
                .withExposedPorts(9000)
                .waitingFor(Wait.forListeningPort())) {
            listening.start();
            System.out.println("port wait: " + listening.isRunning());
        }
        System.out.flush();
        // A crash, not a tidy stop: the container stays behind for the reaper.
        Runtime.getRuntime().halt(0);
    }
}
