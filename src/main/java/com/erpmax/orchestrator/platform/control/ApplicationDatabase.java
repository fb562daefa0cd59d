package com.erpmax.orchestrator.platform.control;

import com.zaxxer.hikari.HikariDataSource;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The application's connection pool (HikariCP). Business code uses only this pool, and only after
 * the schema gate opened; the lock and the migrations use {@link DirectConnections}. Not
 * transactional (no JTA enlistment): stores run their own short JDBC transactions. It connects at
 * its first use, not when injected: a bean may be created before READY (the readiness check), and
 * an instance kept FAILED holds no connection.
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
 * <p>{@link ClosedAfterBeans} closes it once every bean that uses it is gone.
 */
@ApplicationScoped
public class ApplicationDatabase {

    /** The pool's name in the log, and the {@code application_name} of its sessions. */
    public static final String POOL_NAME = "erpmax-pool";
    static final int MIN_IDLE = 8;
    static final int MAX_SIZE = 32;
    /** How long a request waits for a connection, the same as for a new one to open. */
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    /** A check of an idle connection; short, since a silent dead one costs a waiting request this much. */
    static final Duration VALIDATION_TIMEOUT = Duration.ofSeconds(1);

    @Inject
    Settings settings;

    /** Its threads (filling, checking, closing connections) are the container's, with this application's context. */
    @Resource
    ManagedThreadFactory threads;

    @Inject
    ClosedAfterBeans closedAfterBeans;

    private HikariDataSource pool;

    @PostConstruct
    void create() {
        pool = pool(settings);
        pool.setThreadFactory(threads);
        closedAfterBeans.add(pool);
    }

    @Produces
    DataSource dataSource() {
        return pool;
    }

    /**
     * The pool, not started: HikariCP starts a pool made with its no-argument constructor at the
     * first {@code getConnection}. The driver's data source is built here, so that the URL, which
     * may carry parameters, never appears in HikariCP's configuration dump.
     */
    static HikariDataSource pool(Settings settings) {
        PGSimpleDataSource driver = new KeepaliveDataSource();
        driver.setURL(settings.databaseUrlRequired());
        driver.setUser(settings.databaseUser());
        settings.databasePassword().ifPresent(driver::setPassword);
        driver.setApplicationName(POOL_NAME);
        driver.setConnectTimeout((int) CONNECTION_TIMEOUT.toSeconds());
        driver.setTcpKeepAlive(true);
        driver.setSocketFactory(KeepaliveSockets.class.getName());

        HikariDataSource pool = new HikariDataSource();
        pool.setPoolName(POOL_NAME);
        pool.setDataSource(driver);
        pool.setMinimumIdle(MIN_IDLE);
        pool.setMaximumPoolSize(MAX_SIZE);
        pool.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        pool.setValidationTimeout(VALIDATION_TIMEOUT.toMillis());
        // The schema gate has reached the database already; an outage since then is not a reason
        // for the pool not to exist: its connections come as soon as the database answers.
        pool.setInitializationFailTimeout(-1);
        return pool;
    }

    /** The driver's data source; every session it opens asks for {@link SessionKeepalive}. */
    static final class KeepaliveDataSource extends PGSimpleDataSource {

        private static final long serialVersionUID = 1L;

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return SessionKeepalive.requestedOn(super.getConnection(user, password));
        }
    }
}
