package dev.tallyman.host.config;

import io.quarkus.credentials.CredentialsProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The database passwords, read from their 0600 files (TALLYMAN_DB_PASSWORD_FILE, TALLYMAN_DB_OWNER_PASSWORD_FILE)
 * when those are set, so no password is on a command line or in the environment; else from
 * TALLYMAN_DB_PASSWORD (tests). The pool asks for the service role's credentials through this provider each
 * time it opens a connection, so a rewritten file takes effect without a restart.
 */
@ApplicationScoped
@Named(DatabaseCredentials.NAME)
public class DatabaseCredentials implements CredentialsProvider {
    public static final String NAME = "tallyman-db";

    @Inject
    EngineConfig config;

    @Override
    public Map<String, String> getCredentials(String credentialsProviderName) {
        EngineConfig.Db db = config.db();
        return Map.of(USER_PROPERTY_NAME, db.user(), PASSWORD_PROPERTY_NAME, password(db.passwordFile(), db.password()));
    }

    /** The owner's connections, for the migrations; the service's own when no owner role is configured. */
    Optional<DataSource> owner() {
        EngineConfig.Db db = config.db();
        return db.ownerUser().filter(owner -> !owner.equals(db.user())).map(owner -> {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(db.url());
            ds.setUser(owner);
            ds.setPassword(password(db.ownerPasswordFile(), db.ownerPassword().orElse("")));
            ds.setConnectTimeout(10);
            return ds;
        });
    }

    private static String password(Optional<Path> file, String fallback) {
        if (file.isEmpty()) {
            return fallback;
        }
        try {
            return Files.readString(file.get(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("read the database password file " + file.get() + ": " + e.getMessage(), e);
        }
    }
}
