package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker-py (Debian's python3-docker 5.0.3, which pins API 1.41) against Tallyman, unchanged (issue 13): each test
 * runs one of the scripts in src/test/resources/clients/dockerpy and checks what it printed.
 */
class DockerPyIT extends ContainerItSupport {

    @Override
    protected String instanceName() {
        return "cli-dockerpy";
    }

    @Test
    void runAndExecRunWithUserWorkdirEnvironmentAndDemux() {
        String out = script("exec_run.py");
        assertThat(out).contains("run: hello\n", "exec_run: 20 of 20\n", "demux: 7 out err\n", "tty: 0 tty\n",
                "stream: ['one', 'two']\n");
    }

    @Test
    void logsStreamAndArchivesBothWays() {
        String out = script("logs_archive.py");
        assertThat(out).contains("logs stream: ['line 1', 'line 2', 'line 3', 'done']\n", "wait: 0\n", "stderr only: done\n",
                "put_archive: True\n", "cat: put by docker-py\n",
                "get_archive: notes ['notes', 'notes/hello.txt'] put by docker-py\n");
    }

    @Test
    void eventsWithALabelFilterLiveAndWithSinceUntil() {
        String out = script("events.py");
        assertThat(out).contains("live: ['container create py-labelled', 'container start py-labelled']\n",
                "since/until: ['container create', 'container start', 'container die', 'container destroy']\n",
                "die only: ['die']\n");
    }

    @Test
    void volumesAndNetworks() {
        String out = script("volumes_networks.py");
        assertThat(out).contains("volume: py-data local {'py.test': 'vn'}\n", "network: py-net bridge\n",
                "connected: ['py-server']\n", "by name: reached\n", "logs: kept\n", "listed: ['py-data'] ['py-net']\n",
                "after: [] []\n");
    }

    /** Runs a docker-py script from the test resources against this instance; fails showing both outputs unless it exits 0. */
    private String script(String name) {
        Path file = Path.of("target", "clients-" + name).toAbsolutePath();
        try (InputStream in = getClass().getResourceAsStream("/clients/dockerpy/" + name)) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        CommandResult result = Shell.run(List.of("python3", file.toString(), tallyman.dockerHost()), Map.of(), null, 120);
        assertThat(result.exitCode()).as(name + "\n" + result).isZero();
        return result.stdout();
    }
}
