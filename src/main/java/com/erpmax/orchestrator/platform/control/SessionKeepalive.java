package com.erpmax.orchestrator.platform.control;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Every session ERPMax opens asks PostgreSQL to end it soon after its client's host vanished.
 *
 * <p>A session whose process is killed ends at once: its host's kernel closes the connection. A
 * session whose host vanishes (power lost, network cut) sends nothing more, and PostgreSQL's TCP
 * defaults (a first keepalive after 2 hours, then 9 every 75 s) keep it, with all it holds, for
 * over two hours: the migration lock, past every other instance's lock timeout; the rows of a job
 * claim or an outbox batch, which every other worker skips. Asked for per session, PostgreSQL
 * probes after {@value #IDLE_S} s of silence and ends the session {@value #PEER_GONE_AFTER_S} s
 * after its client went silent; {@code tcp_user_timeout} (PostgreSQL 12+) does the same when the
 * server has sent data the client never acknowledges. These are settings of the session's own
 * socket: nothing else changes, a live client's kernel answers the probes, and a session over a
 * Unix socket ignores them.
 */
public final class SessionKeepalive {

    private static final int IDLE_S = 10;
    private static final int INTERVAL_S = 5;
    private static final int COUNT = 3;
    /** How long after its client went silent PostgreSQL ends a session, at most. */
    public static final int PEER_GONE_AFTER_S = IDLE_S + INTERVAL_S * COUNT;

    private SessionKeepalive() {
    }

    /** The session, with the keepalive set; closed if setting it failed. */
    static Connection requestedOn(Connection session) throws SQLException {
        try (Statement statement = session.createStatement()) {
            statement.execute("SET tcp_keepalives_idle = " + IDLE_S);
            statement.execute("SET tcp_keepalives_interval = " + INTERVAL_S);
            statement.execute("SET tcp_keepalives_count = " + COUNT);
            if (session.getMetaData().getDatabaseMajorVersion() >= 12) {
                statement.execute("SET tcp_user_timeout = " + PEER_GONE_AFTER_S * 1000);
            }
        } catch (SQLException e) {
            session.close();
            throw e;
        }
        return session;
    }
}
