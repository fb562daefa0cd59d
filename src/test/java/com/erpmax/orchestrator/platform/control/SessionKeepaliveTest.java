package com.erpmax.orchestrator.platform.control;

import com.erpmax.orchestrator.testing.TestDatabase;
import com.zaxxer.hikari.HikariDataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What PostgreSQL shows for ERPMax's sessions: both kinds end about 25 s after their client's host
 * went silent. VanishedLockHolderIT proves what that does for a lock holder whose network is cut.
 */
class SessionKeepaliveTest {

    private static TestDatabase database;
    private static Settings settings;

    @BeforeAll
    static void createDatabase() throws Exception {
        database = TestDatabase.create("keepalive");
        settings = database.settings();
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        database.close();
    }

    @Test
    void lockAndMigrationSessionsAskForTheKeepalive() throws Exception {
        try (Connection session = new DirectConnections(settings, "migrator").open()) {
            assertKeepalive(session);
        }
    }

    @Test
    void poolSessionsAskForTheKeepalive() throws Exception {
        try (HikariDataSource pool = ApplicationDatabase.pool(settings)) {
            pool.setMinimumIdle(0);
            try (Connection session = pool.getConnection()) {
                assertKeepalive(session);
            }
        }
    }

    private static void assertKeepalive(Connection session) throws SQLException {
        assertEquals("10", show(session, "tcp_keepalives_idle"), "first probe after this much silence (s)");
        assertEquals("5", show(session, "tcp_keepalives_interval"), "between probes (s)");
        assertEquals("3", show(session, "tcp_keepalives_count"), "unanswered probes before the session ends");
        if (session.getMetaData().getDatabaseMajorVersion() >= 12) {
            assertEquals("25000", show(session, "tcp_user_timeout"), "unacknowledged data before the session ends (ms)");
        }
    }

    private static String show(Connection session, String setting) throws SQLException {
        try (Statement statement = session.createStatement(); ResultSet row = statement.executeQuery("SHOW " + setting)) {
            row.next();
            return row.getString(1);
        }
    }
}
