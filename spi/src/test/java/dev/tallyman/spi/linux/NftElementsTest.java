package dev.tallyman.spi.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Needs root: a throwaway nft table of its own ({@code tallyman_test_…}), deleted by name afterwards. */
class NftElementsTest {
    private final String table = "tallyman_test_" + HexFormat.of().formatHex(new byte[] {(byte) System.nanoTime(),
            (byte) (System.nanoTime() >> 8), (byte) (System.nanoTime() >> 16)});

    @BeforeEach
    void makeTable() throws Exception {
        nft("add table ip " + table + "\n"
                + "add map ip " + table + " ports { type inet_service : ipv4_addr . inet_service; }\n");
    }

    @AfterEach
    void deleteTable() throws Exception {
        nft("delete table ip " + table + "\n");
    }

    private static final byte[] PORT_8080 = {0x1f, (byte) 0x90};
    private static final byte[] TO_A = {(byte) 172, 18, 0, 2, 0, 80, 0, 0};
    private static final byte[] TO_B = {(byte) 172, 18, 0, 3, 0, 80, 0, 0};

    @Test
    void addedElementIsListedWithItsComment() throws Exception {
        NftElements.apply(NftElements.NFPROTO_IPV4, table, List.of(NftElements.Change.add("ports", PORT_8080, TO_A, "net ctr")));

        assertThat(nft("list map ip " + table + " ports\n")).contains("8080 comment \"net ctr\" : 172.18.0.2 . 80");
    }

    @Test
    void sameElementAgainIsFineOtherDataIsEexistAndChangesNothing() throws Exception {
        NftElements.apply(NftElements.NFPROTO_IPV4, table, List.of(NftElements.Change.add("ports", PORT_8080, TO_A, null)));
        NftElements.apply(NftElements.NFPROTO_IPV4, table, List.of(NftElements.Change.add("ports", PORT_8080, TO_A, null)));

        assertThatThrownBy(() -> NftElements.apply(NftElements.NFPROTO_IPV4, table,
                List.of(NftElements.Change.add("ports", new byte[] {0x1f, (byte) 0x91}, TO_B, null),
                        NftElements.Change.add("ports", PORT_8080, TO_B, null))))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
        String listed = nft("list map ip " + table + " ports\n");
        assertThat(listed).contains("172.18.0.2").doesNotContain("8081");
    }

    @Test
    void deleteOfAbsentIsEnoentAndAddThenDeleteIsNot() throws Exception {
        assertThatThrownBy(() -> NftElements.apply(NftElements.NFPROTO_IPV4, table,
                List.of(NftElements.Change.delete("ports", PORT_8080))))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));

        NftElements.apply(NftElements.NFPROTO_IPV4, table, List.of(NftElements.Change.add("ports", PORT_8080, TO_A, null),
                NftElements.Change.delete("ports", PORT_8080)));
        assertThat(nft("list map ip " + table + " ports\n")).doesNotContain("8080");
    }

    @Test
    void missingTableIsEnoent() {
        assertThatThrownBy(() -> NftElements.apply(NftElements.NFPROTO_IPV4, table + "_absent",
                List.of(NftElements.Change.add("ports", PORT_8080, TO_A, null))))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }

    private static String nft(String script) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
        process.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(script + out).isZero();
        return out;
    }
}
