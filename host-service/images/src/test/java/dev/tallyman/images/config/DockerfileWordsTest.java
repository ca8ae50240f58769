package dev.tallyman.images.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DockerfileWordsTest {

    @Test
    void splitKeepsQuotedAndEscapedSpacesInsideTheirWord() {
        assertThat(DockerfileWords.split("A=a\\ b  B='c d' C=\"e f\"\tD"))
                .isEqualTo(List.of("A=a\\ b", "B='c d'", "C=\"e f\"", "D"));
    }

    @Test
    void eachWordThenReadsAsTheDockerfileMeansIt() {
        DockerfileWords words = new DockerfileWords(name -> null, '\\');
        assertThat(DockerfileWords.split("A=a\\ b B='c d'").stream().map(words::word).toList())
                .isEqualTo(List.of("A=a b", "B=c d"));
    }
}
