package dev.tallyman.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Which failures make the store DOWN (retrying later helps) and how the caller is told, without SQL text. */
class OutageReasonTest {

    record Case(String description, Throwable failure, Optional<String> expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("connection refused", new SQLException("Connection to 127.0.0.1:54339 refused", "08001"),
                        Optional.of("cannot reach PostgreSQL")),
                new Case("socket timeout under an I/O error", new SQLException("An I/O error occurred", "08006",
                        new SocketTimeoutException("Read timed out")), Optional.of("PostgreSQL did not answer in time")),
                new Case("statement timeout", new SQLException("canceling statement due to statement timeout", "57014"),
                        Optional.of("a statement ran past the statement timeout")),
                new Case("lock timeout", new SQLException("canceling statement due to lock timeout", "55P03"),
                        Optional.of("a lock was not granted within the lock timeout")),
                new Case("server shutting down", new SQLException("terminating connection due to administrator command", "57P01"),
                        Optional.of("PostgreSQL is shutting down or starting up")),
                new Case("pool acquisition timeout", new SQLException("Sorry, acquisition timeout!"),
                        Optional.of("no database connection within the acquisition timeout")),
                new Case("wrapped in a runtime exception", new RuntimeException(new SQLException("refused", "08001")),
                        Optional.of("cannot reach PostgreSQL")),
                new Case("a unique violation is no outage", new SQLException("duplicate key", "23505"), Optional.empty()),
                new Case("permission denied is no outage", new SQLException("permission denied for table events", "42501"),
                        Optional.empty()),
                new Case("a bug is no outage", new IllegalStateException("oops"), Optional.empty()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void classifies(Case c) {
        assertThat(OutageReason.of(c.failure())).isEqualTo(c.expected());
    }
}
