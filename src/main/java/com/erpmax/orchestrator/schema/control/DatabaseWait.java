package com.erpmax.orchestrator.schema.control;

import com.erpmax.orchestrator.platform.control.DirectConnections;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Waits, bounded and logged, until PostgreSQL accepts a session. Containers start in any
 * order; a database that is still booting is normal, a wrong password is not (fails at once).
 */
public final class DatabaseWait {

    private static final Logger LOG = Logger.getLogger(DatabaseWait.class.getName());
    private static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);
    private static final Duration REPORT_INTERVAL = Duration.ofSeconds(5);

    private final DirectConnections connections;
    private final Clock clock;

    public DatabaseWait(DirectConnections connections, Clock clock) {
        this.connections = connections;
        this.clock = clock;
    }

    /**
     * @param onError told each failed attempt's message, so health can show it
     * @throws DatabaseUnavailableException when the timeout passes or the credentials are refused
     */
    public void await(Duration timeout, Consumer<String> onError) throws DatabaseUnavailableException, InterruptedException {
        Instant start = clock.instant();
        Instant nextReport = start;
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = connections.open()) {
                if (connection.isValid(5)) {
                    int attempts = attempt;
                    LOG.info(() -> "PostgreSQL at " + connections.describeTarget() + " answered after " + attempts + " attempt(s)");
                    return;
                }
            } catch (SQLException e) {
                String reason = e.getMessage();
                if (isRefusedCredentials(e)) {
                    throw new DatabaseUnavailableException("PostgreSQL at " + connections.describeTarget() + " refused the credentials: " + reason);
                }
                onError.accept(reason);
                Duration waited = Duration.between(start, clock.instant());
                if (waited.compareTo(timeout) >= 0) {
                    throw new DatabaseUnavailableException("PostgreSQL at " + connections.describeTarget() + " not reachable after "
                            + timeout.toSeconds() + " s: " + reason);
                }
                if (!clock.instant().isBefore(nextReport)) {
                    int attempts = attempt;
                    LOG.info(() -> "Waiting for PostgreSQL at " + connections.describeTarget() + " (attempt " + attempts + ", "
                            + waited.toSeconds() + " s of " + timeout.toSeconds() + " s): " + reason);
                    nextReport = clock.instant().plus(REPORT_INTERVAL);
                }
            }
            Thread.sleep(RETRY_INTERVAL.toMillis());
        }
    }

    /** SQLSTATE class 28: invalid authorization; waiting will not fix it. */
    private static boolean isRefusedCredentials(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("28");
    }
}
