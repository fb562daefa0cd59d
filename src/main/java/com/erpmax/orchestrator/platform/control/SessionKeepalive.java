package com.erpmax.orchestrator.platform.control;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

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
 * server has sent data the client never acknowledges (also when a live client stops reading for
 * that long, which none of ours does: their results are small and read at once). These are
 * settings of the session's own socket: nothing else changes, a live client's kernel answers the
 * probes, and a session over a Unix socket ignores them.
 *
 * <p>A protection, not a condition of working: a server or proxy that refuses them gets the
 * session anyway, with one warning per process.
 */
public final class SessionKeepalive {

    private static final Logger LOG = Logger.getLogger(SessionKeepalive.class.getName());
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    static final int IDLE_S = 10;
    static final int INTERVAL_S = 5;
    static final int COUNT = 3;
    /** How long after its client went silent PostgreSQL ends a session, at most. */
    public static final int PEER_GONE_AFTER_S = IDLE_S + INTERVAL_S * COUNT;

    private SessionKeepalive() {
    }

    /** The session, having asked for the keepalive. */
    static Connection requestedOn(Connection session) throws SQLException {
        String settings = "SET tcp_keepalives_idle = " + IDLE_S + "; SET tcp_keepalives_interval = " + INTERVAL_S
                + "; SET tcp_keepalives_count = " + COUNT;
        try (Statement statement = session.createStatement()) {
            if (session.getMetaData().getDatabaseMajorVersion() >= 12) {
                settings += "; SET tcp_user_timeout = " + PEER_GONE_AFTER_S * 1000;
            }
            statement.execute(settings);
        } catch (SQLException e) {
            if (WARNED.compareAndSet(false, true)) {
                LOG.warning(() -> "The database refused the TCP keepalive settings (" + e.getMessage() + "): a session whose"
                        + " host vanishes keeps its locks until PostgreSQL's own keepalive (2 hours by default) ends it");
            }
        }
        return session;
    }
}
