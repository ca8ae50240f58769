package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** docker images with its flags, filters and formats, and docker history, as a user reads them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageListIT {
    private TestDatabase database;
    private TallymanProcess tallyman;
    private String alpha;
    private String beta;
    private String dangling;

    @BeforeAll
    void start() throws Exception {
        database = new TestDatabase();
        tallyman = new TallymanProcess("imagelist", database, "overlay2");
        tallyman.start();
        String tar = BusyboxTar.get().toString();
        alpha = ok(tallyman.docker("import", "-m", "first", tar, "alpha:1")).trim();
        Thread.sleep(1100);
        beta = ok(tallyman.docker("import", "-c", "LABEL team=blue", "-c", "CMD [\"echo\",\"beta\"]", tar, "beta:1")).trim();
        Thread.sleep(1100);
        dangling = ok(tallyman.docker("import", "-c", "LABEL kind=none", tar)).trim();
    }

    @AfterAll
    void stop() {
        try {
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
    void quietAllAndNoTrunc() {
        assertThat(ok(tallyman.docker("images", "-q")).lines().toList())
                .containsExactly(dangling.substring(7, 19), beta.substring(7, 19), alpha.substring(7, 19));
        assertThat(ok(tallyman.docker("images", "-q", "--no-trunc")).lines().toList()).contains(alpha, beta, dangling);
        assertThat(ok(tallyman.docker("images", "-a", "--format", "{{.Repository}}:{{.Tag}}")).lines().toList())
                .containsExactly("<none>:<none>", "beta:1", "alpha:1");
        assertThat(ok(tallyman.docker("images", "--digests"))).contains("DIGEST");
    }

    @Test
    void filtersSelectAsDockersDo() {
        assertThat(ok(tallyman.docker("images", "--filter", "reference=al*", "--format", "{{.Repository}}")).trim()).isEqualTo("alpha");
        assertThat(ok(tallyman.docker("images", "--filter", "reference=beta:1", "--format", "{{.Repository}}")).trim()).isEqualTo("beta");
        assertThat(ok(tallyman.docker("images", "--filter", "dangling=true", "-q", "--no-trunc")).trim()).isEqualTo(dangling);
        assertThat(ok(tallyman.docker("images", "--filter", "dangling=false", "--format", "{{.Repository}}")).lines().toList())
                .containsExactly("beta", "alpha");
        assertThat(ok(tallyman.docker("images", "--filter", "before=beta:1", "--format", "{{.Repository}}")).trim()).isEqualTo("alpha");
        assertThat(ok(tallyman.docker("images", "--filter", "since=alpha:1", "-a", "--format", "{{.ID}}")).lines().count()).isEqualTo(2);
        assertThat(ok(tallyman.docker("images", "--filter", "label=team=blue", "--format", "{{.Repository}}")).trim()).isEqualTo("beta");
        assertThat(ok(tallyman.docker("images", "--filter", "label=team", "--format", "{{.Repository}}")).trim()).isEqualTo("beta");
        CommandResult bad = tallyman.docker("images", "--filter", "colour=red");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stderr()).contains("invalid filter 'colour'");
    }

    @Test
    void historyAndInspectShowTheImportMessageAndChanges() {
        assertThat(ok(tallyman.docker("history", "--no-trunc", "--format", "{{.ID}} {{.Comment}}", "alpha:1")).trim())
                .isEqualTo(alpha + " first");
        assertThat(ok(tallyman.docker("image", "inspect", "-f", "{{.Comment}}|{{json .Config.Cmd}}|{{.Config.Labels.team}}", "beta:1")).trim())
                .isEqualTo("|[\"echo\",\"beta\"]|blue");
        assertThat(ok(tallyman.docker("run", "--rm", "beta:1"))).isEqualTo("beta\n");
    }

    private static String ok(CommandResult result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result.stdout();
    }
}
