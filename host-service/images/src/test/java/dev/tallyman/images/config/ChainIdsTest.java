package dev.tallyman.images.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.images.reference.Digest;
import dev.tallyman.spi.storage.LayerId;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainIdsTest {
    private static final Digest A = Digest.ofHex("a".repeat(64));
    private static final Digest B = Digest.ofHex("b".repeat(64));
    private static final Digest C = Digest.ofHex("c".repeat(64));
    // Computed independently: sha256("sha256:aaa… sha256:bbb…") and so on, with Python's hashlib.
    private static final Digest AB = Digest.parse("sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c");
    private static final Digest ABC = Digest.parse("sha256:c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588");

    @Test
    void baseLayerChainIdIsItsDiffId() {
        assertThat(ChainIds.of(List.of(A))).containsExactly(A);
    }

    @Test
    void eachLayerHashesItsParentsChainAndItsOwnDiff() {
        assertThat(ChainIds.of(List.of(A, B, C))).containsExactly(A, AB, ABC);
    }

    @Test
    void noLayersNoChain() {
        assertThat(ChainIds.of(List.of())).isEmpty();
    }

    @Test
    void layerIdIsTheChainIdHex() {
        assertThat(ChainIds.layerIds(List.of(A, B))).containsExactly(LayerId.of(A.hex()), LayerId.of(AB.hex()));
    }

    @Test
    void sameBottomLayersGiveSameLayerIdsWhateverIsOnTop() {
        assertThat(ChainIds.layerIds(List.of(A, B, C)).subList(0, 2)).isEqualTo(ChainIds.layerIds(List.of(A, B)));
        assertThat(ChainIds.layerIds(List.of(B, A)).get(1)).isNotEqualTo(ChainIds.layerIds(List.of(A, B)).get(1));
    }
}
