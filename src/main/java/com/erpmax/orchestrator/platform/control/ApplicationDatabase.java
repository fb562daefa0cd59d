package com.erpmax.orchestrator.platform.control;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Destroyed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The application's connection pool (HikariCP). Business code uses only this pool, and only after
 * the schema gate opened; the lock and the migrations use {@link DirectConnections}. Not
 * transactional (no JTA enlistment): stores run their own short JDBC transactions. Opened at its
 * first use, after READY.
 *
 * <p>Not Payara's pool (a {@code @DataSourceDefinition}): that one sets up Payara's JDBC resource
 * adapter, a connector pool and its JNDI resource at every boot, which cost each boot 0.4-0.7 s of
 * CPU and made the first readiness answer wait for it (bench/results/BOOT.md); this one starts in
 * milliseconds. The application never needed what the container pool adds (JTA, asadmin).
 *
 * <p>Eight connections stay open, filled in the background: a load step (100 to 500 submits/s)
 * otherwise opened them while requests waited, and those first seconds made the p99. A connection
 * idle for more than half a second is checked ({@code isValid}) before it is handed out, and one
 * that fails is dropped and the next one tried: after a database restart or fail-over every pooled
 * connection is dead, and requests must get new ones, not 500s until the instance restarts.
 *
 * <p>The pool closes after the application context is destroyed, that is after every bean that
 * uses it has stopped: CDI destroys application-scoped beans in no set order, so closing it in
 * this bean's own {@code @PreDestroy} could pull it from under a worker still finishing a job.
 */
@ApplicationScoped
public class ApplicationDatabase {

    /** The pool's name in the log, and the {@code application_name} of its sessions. */
    public static final String POOL_NAME = "erpmax-pool";
    static final int MIN_IDLE = 8;
    static final int MAX_SIZE = 32;
    /** How long a request waits for a connection, the same as for a new one to open. */
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    static final Duration VALIDATION_TIMEOUT = Duration.ofSeconds(2);

    /** The open pool, for the observer that closes it once no bean of this deployment is left. */
    private static final AtomicReference<HikariDataSource> OPEN = new AtomicReference<>();

    @Inject
    Settings settings;

    /** Its threads (filling, checking, closing connections) are the container's, with this application's context. */
    @Resource
    ManagedThreadFactory threads;

    private HikariDataSource pool;

    @PostConstruct
    void open() {
        HikariConfig config = configuration(settings);
        config.setThreadFactory(threads);
        pool = new HikariDataSource(config);
        OPEN.set(pool);
    }

    @Produces
    DataSource dataSource() {
        return pool;
    }

    static void close(@Observes @Destroyed(ApplicationScoped.class) Object applicationStopped) {
        HikariDataSource open = OPEN.getAndSet(null);
        if (open != null) {
            open.close();
        }
    }

    static HikariConfig configuration(Settings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(POOL_NAME);
        config.setDataSourceClassName("org.postgresql.ds.PGSimpleDataSource");
        config.addDataSourceProperty("url", settings.databaseUrlRequired());
        config.setUsername(settings.databaseUser());
        settings.databasePassword().ifPresent(config::setPassword);
        config.addDataSourceProperty("ApplicationName", POOL_NAME);
        config.addDataSourceProperty("connectTimeout", Long.toString(CONNECTION_TIMEOUT.toSeconds()));
        config.setMinimumIdle(MIN_IDLE);
        config.setMaximumPoolSize(MAX_SIZE);
        config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        config.setValidationTimeout(VALIDATION_TIMEOUT.toMillis());
        // The schema gate has reached the database already; an outage since then is not a reason
        // for the pool not to exist: its connections come as soon as the database answers.
        config.setInitializationFailTimeout(-1);
        return config;
    }
}
