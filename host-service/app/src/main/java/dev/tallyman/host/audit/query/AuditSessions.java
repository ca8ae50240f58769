package dev.tallyman.host.audit.query;

import dev.tallyman.host.config.DatabaseCredentials;
import dev.tallyman.host.config.EngineConfig;
import io.quarkus.credentials.CredentialsProvider;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.function.Function;
import org.hibernate.SessionFactory;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.cfg.Configuration;
import org.hibernate.reactive.mutiny.Mutiny;
import org.hibernate.reactive.provider.ReactiveServiceRegistryBuilder;
import org.hibernate.reactive.provider.Settings;
import org.hibernate.reactive.vertx.VertxInstance;
import org.hibernate.reactive.vertx.impl.ProvidedVertxInstance;
import org.jboss.logging.Logger;

/**
 * Hibernate Reactive for the audit read side, started at the first audit query rather than with the service.
 * Started with the service (Quarkus's extension), Hibernate's boot took about 2 s of CPU and 60 MB of every
 * start, for an API most starts never see (README, "Footprint"). Built here by hand on a worker thread, on
 * Quarkus's own Vert.x, with its own small pool of the reactive PostgreSQL client to the same database.
 */
@ApplicationScoped
public class AuditSessions {
    private static final Logger LOG = Logger.getLogger(AuditSessions.class);
    private static final int POOL_SIZE = 4;

    @Inject
    EngineConfig config;

    @Inject
    DatabaseCredentials credentials;

    @Inject
    Vertx vertx;

    private volatile Mutiny.SessionFactory factory;
    private StandardServiceRegistry registry;

    /** Runs {@code work} in a session of the read side, booting Hibernate first if this is the first query. */
    public <T> Uni<T> withSession(Function<Mutiny.Session, Uni<T>> work) {
        return factory().flatMap(f -> f.withSession(work));
    }

    public <T> Uni<T> withStatelessSession(Function<Mutiny.StatelessSession, Uni<T>> work) {
        return factory().flatMap(f -> f.withStatelessSession(work));
    }

    private Uni<Mutiny.SessionFactory> factory() {
        Mutiny.SessionFactory ready = factory;
        boolean onEventLoop = Context.isOnEventLoopThread();
        if (ready != null && onEventLoop) {
            return Uni.createFrom().item(ready);
        }
        // Hibernate Reactive runs only on a Vert.x event loop: a call from a worker (a fold's) goes to one.
        Context context = onEventLoop ? Vertx.currentContext() : vertx.getOrCreateContext();
        Uni<Mutiny.SessionFactory> found = ready != null ? Uni.createFrom().item(ready)
                // Hibernate's boot blocks for seconds: never on the event loop that serves the Docker API.
                : Uni.createFrom().item(this::boot).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return found.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }

    private synchronized Mutiny.SessionFactory boot() {
        if (factory != null) {
            return factory;
        }
        long began = System.nanoTime();
        Map<String, String> login = credentials.getCredentials(DatabaseCredentials.NAME);
        Configuration cfg = new Configuration()
                .addAnnotatedClass(StoredEvent.class)
                .setProperty(Settings.JAKARTA_JDBC_URL, withoutSchema(config.db().url()))
                .setProperty(Settings.SQL_CLIENT_POOL_CONFIG, SchemaPoolConfiguration.class.getName())
                .setProperty(SchemaPoolConfiguration.SEARCH_PATH, schema(config.db().url()))
                .setProperty(Settings.JAKARTA_JDBC_USER, login.get(CredentialsProvider.USER_PROPERTY_NAME))
                .setProperty(Settings.JAKARTA_JDBC_PASSWORD, login.get(CredentialsProvider.PASSWORD_PROPERTY_NAME))
                .setProperty(Settings.POOL_SIZE, Integer.toString(POOL_SIZE))
                // Flyway owns the schema; the dialect is known, so no metadata round trip at boot
                .setProperty(Settings.JAKARTA_HBM2DDL_DATABASE_ACTION, "none")
                .setProperty(Settings.JAKARTA_HBM2DDL_DB_NAME, "PostgreSQL")
                .setProperty(Settings.ALLOW_METADATA_ON_BOOT, "false")
                // a read-only entity with no lazy association needs no runtime proxies
                .setProperty(Settings.BYTECODE_PROVIDER, "none");
        registry = new ReactiveServiceRegistryBuilder()
                .applySettings(cfg.getProperties())
                .addService(VertxInstance.class, new ProvidedVertxInstance(vertx))
                .build();
        SessionFactory orm = cfg.buildSessionFactory(registry);
        factory = orm.unwrap(Mutiny.SessionFactory.class);
        LOG.infof("audit read side (Hibernate Reactive) ready in %d ms", (System.nanoTime() - began) / 1_000_000);
        return factory;
    }

    @PreDestroy
    synchronized void close() {
        if (factory != null) {
            factory.close();
            ReactiveServiceRegistryBuilder.destroy(registry);
        }
    }

    /** The JDBC URL without pgJDBC's {@code currentSchema}, which the reactive client would pass on as a server setting. */
    static String withoutSchema(String jdbcUrl) {
        return jdbcUrl.replaceAll("([?&])currentSchema=[^&]*&?", "$1").replaceAll("[?&]$", "");
    }

    /** pgJDBC's {@code currentSchema} of the URL, "" without one. */
    static String schema(String jdbcUrl) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[?&]currentSchema=([^&]*)").matcher(jdbcUrl);
        return m.find() ? m.group(1) : "";
    }
}
