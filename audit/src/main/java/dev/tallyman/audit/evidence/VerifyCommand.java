package dev.tallyman.audit.evidence;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Verify with the service stopped (it refuses to start from a record that fails, so this is how an operator
 * sees why): {@code java -cp '<quarkus-app>/lib/main/*' dev.tallyman.audit.evidence.VerifyCommand}, reading
 * TALLYMAN_DB_URL, TALLYMAN_DB_USER, TALLYMAN_DB_PASSWORD, TALLYMAN_CHECKPOINT_KEY (only its {@code .pub} is
 * read) and TALLYMAN_CHECKPOINT_FILE from the environment. Prints the API's JSON; exits 0 when intact, 1 when
 * not, 2 when it could not verify.
 */
public final class VerifyCommand {
    private VerifyCommand() {
    }

    public static void main(String[] args) throws Exception {
        String url = need("TALLYMAN_DB_URL");
        String user = need("TALLYMAN_DB_USER");
        String password = need("TALLYMAN_DB_PASSWORD");
        Path key = Path.of(need("TALLYMAN_CHECKPOINT_KEY"));
        Path file = Path.of(need("TALLYMAN_CHECKPOINT_FILE"));
        Verification result;
        try {
            DataSource dataSource = new OneConnectionAtATime(url, user, password);
            result = new EvidenceVerifier(dataSource, CheckpointKey.publicOnly(CheckpointKey.publicFile(key)),
                    new CheckpointFile(file), new JdbcCheckpointStore(dataSource)).all();
        } catch (RuntimeException e) {
            System.err.println("verify: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println(new ObjectMapper().writeValueAsString(VerificationReport.of(result)));
        System.exit(result.intact() ? 0 : 1);
    }

    private static String need(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            System.err.println("verify: " + name + " is not set");
            System.exit(2);
        }
        return value;
    }

    /** DriverManager behind the DataSource the verifier takes: a new connection per call is plenty here. */
    private record OneConnectionAtATime(String url, String user, String password) implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            return DriverManager.getConnection(url, user, password);
        }

        @Override
        public Connection getConnection(String u, String p) throws SQLException {
            return DriverManager.getConnection(url, u, p);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
