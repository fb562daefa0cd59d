package com.erpmax.orchestrator.platform.control;

import com.erpmax.orchestrator.testing.IsolatedHost;
import com.erpmax.orchestrator.testing.ScratchPostgresServer;
import com.erpmax.orchestrator.testing.TestDatabase;
import com.zaxxer.hikari.HikariDataSource;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The other direction of VanishedLockHolderIT: the database's host vanishes (a fail-over without
 * a reset, a cut network) while our statements wait for its answer. The database is a scratch
 * server on a host of its own ({@link IsolatedHost}); a lock or migration session and a pool
 * session each run a long statement; the cable is cut. Both statements must fail within
 * {@link SessionKeepalive#PEER_GONE_AFTER_S} s and a margin, not hold their threads for the
 * operating system's 2 hours. Root only; skipped elsewhere, with the reason.
 */
class VanishedDatabaseIT {

    private static final Duration MARGIN = Duration.ofSeconds(15);
    private static final Duration SAFETY_NET = Duration.ofSeconds(90);

    @Test
    void statementsInFlightFailSoonAfterTheDatabaseHostVanished() throws Exception {
        IsolatedHost.assumeAvailable();
        ScratchPostgresServer.assumeAvailable();

        try (IsolatedHost databaseHost = IsolatedHost.create();
             ScratchPostgresServer server = ScratchPostgresServer.startOn(databaseHost)) {
            // The test's own safety net, not the product's: were the keepalive broken, closing the
            // sessions below would wait for the dead host too; a socket timeout well past the
            // assertions' limit ends that wait without deciding the outcome.
            String url = server.url(databaseHost.address()) + "?socketTimeout=" + SAFETY_NET.toSeconds();
            Settings settings = TestDatabase.settings(url, ScratchPostgresServer.USER);
            try (Connection direct = new DirectConnections(settings, "api").open();
                 HikariDataSource pool = ApplicationDatabase.pool(settings);
                 Connection pooled = pool.getConnection()) {
                CompletableFuture<Void> directWait = longStatement(direct);
                CompletableFuture<Void> pooledWait = longStatement(pooled);
                Thread.sleep(1_000);
                assertTrue(!directWait.isDone() && !pooledWait.isDone(), "both statements are waiting for the database");

                databaseHost.cutCable();
                long cutAt = System.nanoTime();
                Duration limit = Duration.ofSeconds(SessionKeepalive.PEER_GONE_AFTER_S).plus(MARGIN);
                for (CompletableFuture<Void> wait : List.of(directWait, pooledWait)) {
                    Throwable failure = failureOf(wait, limit);
                    Duration after = Duration.ofNanos(System.nanoTime() - cutAt);
                    System.out.println("statement failed " + after.toMillis() + " ms after the database's cable was cut: " + failure);
                    assertInstanceOf(SQLException.class, failure, "the statement failed as the driver reports a lost connection");
                    assertTrue(after.compareTo(limit) <= 0, "it failed " + after.toSeconds() + " s after the cut, later than " + limit.toSeconds() + " s");
                }
            }
        }
    }

    private static CompletableFuture<Void> longStatement(Connection session) {
        return CompletableFuture.runAsync(() -> {
            try (Statement statement = session.createStatement()) {
                statement.execute("SELECT pg_sleep(600)");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static Throwable failureOf(CompletableFuture<Void> wait, Duration atMost) throws Exception {
        try {
            wait.get(atMost.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the statement ended normally");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return cause instanceof IllegalStateException && cause.getCause() != null ? cause.getCause() : cause;
        }
    }
}
