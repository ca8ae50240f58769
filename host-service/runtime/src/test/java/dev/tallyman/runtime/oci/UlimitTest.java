package dev.tallyman.runtime.oci;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UlimitTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "nofile=1024:2048|nofile|1024|2048",
            "nofile=1024|nofile|1024|1024",
            "core=-1|core|-1|-1",
            "memlock=infinity:infinity|memlock|-1|-1",
            "nproc=10:infinity|nproc|10|-1"})
    void parses(String text, String name, long soft, long hard) {
        assertThat(Ulimit.parse(text)).isEqualTo(new Ulimit(name, soft, hard));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "nofile|invalid ulimit argument: nofile",
            "bogus=1|invalid ulimit type: bogus",
            "as=1|invalid ulimit type: as",
            "nofile=2048:1024|ulimit soft limit must be less than or equal to hard limit: 2048 > 1024",
            "nofile=-1:1024|ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 1024",
            "nofile=1:2:3|too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`"})
    void refusesWithTheCliMessage(String text, String message) {
        assertThatThrownBy(() -> Ulimit.parse(text)).isInstanceOf(SpecificationException.class).hasMessage(message);
    }
}
