package dev.tallyman.host.audit.query;

import io.vertx.sqlclient.SqlConnectOptions;
import java.net.URI;
import java.util.Map;
import org.hibernate.reactive.pool.impl.DefaultSqlClientPoolConfiguration;

/**
 * The reactive pool's connections with the JDBC writer's schema: pgJDBC's {@code currentSchema} becomes the
 * server's {@code search_path}, sent at connect. Hibernate Reactive reads extra URL parameters only when the
 * login is in the URL too, and the password is not put there, so the schema comes through this setting instead.
 * The tests give each service instance a schema of its own that way.
 */
public class SchemaPoolConfiguration extends DefaultSqlClientPoolConfiguration {
    static final String SEARCH_PATH = "tallyman.audit.search_path";

    private String searchPath;

    @Override
    public void configure(Map configuration) {
        super.configure(configuration);
        Object value = configuration.get(SEARCH_PATH);
        searchPath = value == null ? null : value.toString();
    }

    @Override
    public SqlConnectOptions connectOptions(URI uri) {
        SqlConnectOptions options = super.connectOptions(uri);
        if (searchPath != null && !searchPath.isEmpty()) {
            options.addProperty("search_path", searchPath);
        }
        return options;
    }
}
