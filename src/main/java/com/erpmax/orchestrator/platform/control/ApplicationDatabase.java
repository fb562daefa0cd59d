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
 */
@DataSourceDefinition(
        name = ApplicationDatabase.JNDI_NAME,
        className = "org.postgresql.ds.PGSimpleDataSource",
        url = "${MPCONFIG=" + Settings.DB_URL + "}",
        user = "${MPCONFIG=" + Settings.DB_USER + "}",
        password = "${MPCONFIG=" + Settings.DB_PASSWORD + "}",
        transactional = false,
        initialPoolSize = 0,
        minPoolSize = 0,
        maxPoolSize = 32,
        properties = {"ApplicationName=erpmax-pool", "connectTimeout=5"})
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
