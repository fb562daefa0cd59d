package com.erpmax.orchestrator.platform.control;

import jakarta.annotation.Resource;
import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import javax.sql.DataSource;

/**
 * The application's connection pool, managed by Payara. Business code uses only this pool,
 * and only after the schema gate opened; the lock and the migrations use
 * {@link DirectConnections}. Not transactional (no JTA enlistment): stores run their own
 * short JDBC transactions.
 *
 * <p>Eight connections stay open: a load step (100 to 500 submits/s) otherwise opened them while
 * requests waited, and those first seconds made the p99. A connection is checked ({@code SELECT
 * 1}) before it is handed out if it was not checked in the last second, and one that fails makes
 * the pool drop all of them: after a database restart or fail-over every pooled connection is
 * dead, and without the check the pool handed them out forever (every request 500, readiness
 * DOWN until the instance restarted).
 */
@DataSourceDefinition(
        name = ApplicationDatabase.JNDI_NAME,
        className = "org.postgresql.ds.PGSimpleDataSource",
        url = "${MPCONFIG=" + Settings.DB_URL + "}",
        // "${MPCONFIG=key:default}": Payara's expression. Without a default, an unset key stays
        // in the value as its literal text and Payara logs a warning at each resolution, which
        // happened four times per boot for the password of a database that needs none.
        user = "${MPCONFIG=" + Settings.DB_USER + ":" + Settings.DEFAULT_DB_USER + "}",
        password = "${MPCONFIG=" + Settings.DB_PASSWORD + ":}",
        transactional = false,
        initialPoolSize = 0,
        minPoolSize = 8,
        maxPoolSize = 32,
        properties = {"ApplicationName=erpmax-pool", "connectTimeout=5",
                "fish.payara.is-connection-validation-required=true",
                "fish.payara.connection-validation-method=custom-validation",
                "fish.payara.validation-classname=org.glassfish.api.jdbc.validation.PostgresConnectionValidation",
                "fish.payara.validate-atmost-once-period-in-seconds=1",
                "fish.payara.fail-all-connections=true"})
@ApplicationScoped
public class ApplicationDatabase {

    static final String JNDI_NAME = "java:app/jdbc/erpmax";

    @Resource(lookup = JNDI_NAME)
    DataSource dataSource;

    @Produces
    DataSource dataSource() {
        return dataSource;
    }
}
