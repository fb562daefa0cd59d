package com.erpmax.orchestrator.platform.control;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One transaction on a connection from the application's pool: committed when the work returns,
 * rolled back when it throws, and the connection handed back in auto-commit mode either way, as
 * the pool's other users expect it.
 */
public final class Transaction {

    /** What runs inside the transaction; {@code E} is any checked exception besides SQL's. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T in(Connection connection) throws SQLException, E;
    }

    private Transaction() {
    }

    public static <T, E extends Exception> T run(DataSource dataSource, Work<T, E> work) throws SQLException, E {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.in(connection);
                connection.commit();
                return result;
            } catch (Exception e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }
}
