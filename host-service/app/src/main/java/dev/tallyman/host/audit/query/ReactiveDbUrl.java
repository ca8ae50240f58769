package dev.tallyman.host.audit.query;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * The reactive PostgreSQL client (the audit query's read side) reaches the same database as the JDBC writer:
 * unless set itself, {@code quarkus.datasource.reactive.url} is {@code tallyman.db.url} (TALLYMAN_DB_URL)
 * without its {@code jdbc:} prefix. Quarkus has no fallback from one URL to the other, and a properties file
 * cannot cut a prefix off a value.
 */
public class ReactiveDbUrl implements ConfigSourceInterceptor {
    static final String REACTIVE_URL = "quarkus.datasource.reactive.url";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue own = context.proceed(name);
        if (!REACTIVE_URL.equals(name) || own != null) {
            return own;
        }
        ConfigValue jdbc = context.proceed("tallyman.db.url");
        if (jdbc == null || jdbc.getValue() == null) {
            return null;
        }
        return jdbc.withName(name).withValue(reactiveUrl(jdbc.getValue()));
    }

    /**
     * pgJDBC's {@code currentSchema} becomes the server's own {@code search_path}, which the reactive client passes
     * at connect: the tests give each service instance a schema of its own that way.
     */
    static String reactiveUrl(String jdbcUrl) {
        String url = jdbcUrl.startsWith("jdbc:") ? jdbcUrl.substring("jdbc:".length()) : jdbcUrl;
        return url.replaceFirst("([?&])currentSchema=", "$1search_path=");
    }
}
