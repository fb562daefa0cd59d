package com.erpmax.orchestrator.schema.control;

import com.erpmax.orchestrator.platform.control.DirectConnections;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.schema.entity.LockHolder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The cluster-wide migration lock: a PostgreSQL session advisory lock on a dedicated,
 * unpooled session. If the holder dies, PostgreSQL ends its session and the lock with it,
 * so the lock can never go stale. The lock wraps the work: {@code lock.withLock(work)}.
 */
public final class MigrationLock {

    private static final Logger LOG = Logger.getLogger(MigrationLock.class.getName());

    /** How long one blocking wait lasts before the holder is looked up again and an interrupt is seen. */
    static final Duration WAIT_SLICE = Duration.ofMillis(500);
    static final Duration REPORT_INTERVAL = Duration.ofSeconds(10);

    /** Whether this very backend holds the key (bigint key: classid = high 32 bits, objid = low 32 bits). */
    private static final String HELD_HERE = """
            SELECT count(*) > 0 AS held FROM pg_locks
             WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
               AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 1
            """;

    /** SQLSTATE lock_not_available: our {@code lock_timeout} ended a wait slice. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    /**
     * Both ask, in the same statement and so on the same backend, whether this session held the
     * key already: a fresh session never does, but a backend that a pooler in transaction mode
     * (PgBouncer) hands out may still hold another instance's lock, and the lock is re-entrant.
     * The FROM clause is aggregated before the lock function runs, and CASE keeps it from
     * running at all on such a backend, whose lock count would otherwise go up by one.
     */
    private static final String TRY_LOCK = unlessHeldHere("pg_try_advisory_lock(?)");
    private static final String LOCK = unlessHeldHere("pg_advisory_lock(?) IS NOT NULL");
    private static final String UNLOCK = "SELECT pg_advisory_unlock(?)";
    /** A bigint key shows in pg_locks as classid = high 32 bits, objid = low 32 bits, objsubid = 1. */
    private static final String HOLDER = """
            SELECT a.pid, a.application_name, a.client_addr::text, a.backend_start
              FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted
               AND l.classid::bigint = ? AND l.objid::bigint = ? AND l.objsubid = 1
            """;

    /** Told about the wait, so that health and logs can say who holds the lock. */
    public interface WaitObserver {
        void waiting(Optional<LockHolder> holder, Duration waited);
    }

    /** Work done while the lock is held. */
    public interface Work<T> {
        T run() throws Exception;
    }

    private final DirectConnections connections;
    private final long key;
    private final Clock clock;

    public MigrationLock(DirectConnections connections, long key, Clock clock) {
        this.connections = connections;
        this.key = key;
        this.clock = clock;
    }

    /**
     * Takes the lock, waiting in slices of 500 ms, runs the work, and releases the lock. A failed
     * release is logged without hiding the work's own outcome (the session closes anyway,
     * which releases the lock).
     *
     * @throws LockTimeoutException when the lock is not free within {@code timeout}
     */
    public <T> T withLock(Duration timeout, WaitObserver observer, Work<T> work) throws Exception {
        try (Connection session = connections.open()) {
            return withLock(session, timeout, observer, work);
        }
    }

    /** The same on a session of the caller's: tests hand it one that already holds the lock. */
    <T> T withLock(Connection session, Duration timeout, WaitObserver observer, Work<T> work) throws Exception {
        acquire(session, timeout, observer);
        try {
            return work.run();
        } finally {
            release(session);
        }
    }

    /** Who holds the lock now, if anyone. */
    public Optional<LockHolder> holder(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(HOLDER)) {
            bindKeyAsInPgLocks(statement, 1);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                Timestamp since = row.getTimestamp(4);
                return Optional.of(new LockHolder(row.getInt(1), row.getString(2), row.getString(3),
                        since == null ? null : since.toInstant()));
            }
        }
    }

    /**
     * Waits inside PostgreSQL ({@code pg_advisory_lock} under a {@code lock_timeout} of one slice)
     * rather than polling with {@code pg_try_advisory_lock}: PostgreSQL hands the lock over the
     * moment its holder lets go, where a 500 ms poll lost 250 ms on average between a release
     * and READY. The slices keep the holder report and an interrupt (undeploy) within 500 ms.
     */
    private void acquire(Connection session, Duration timeout, WaitObserver observer)
            throws SQLException, InterruptedException, LockTimeoutException {
        Instant start = clock.instant();
        Instant nextReport = start;
        if (!tryLock(session)) {
            setLockTimeout(session, WAIT_SLICE);
            try {
                do {
                    Duration waited = Duration.between(start, clock.instant());
                    if (waited.compareTo(timeout) >= 0) {
                        throw new LockTimeoutException("Migration lock " + key + " not free after " + timeout.toSeconds()
                                + " s; held by " + holder(session).map(LockHolder::describe).orElse("nobody any more"));
                    }
                    Optional<LockHolder> holder = holder(session);
                    observer.waiting(holder, waited);
                    if (!clock.instant().isBefore(nextReport)) {
                        LOG.info(() -> "Waiting " + waited.toSeconds() + " s for migration lock " + key + ", held by "
                                + holder.map(LockHolder::describe).orElse("nobody (just released)"));
                        nextReport = clock.instant().plus(REPORT_INTERVAL);
                    }
                    if (Thread.interrupted()) {
                        throw new InterruptedException("stopped while waiting for migration lock " + key);
                    }
                } while (!waitSlice(session));
            } finally {
                setLockTimeout(session, Duration.ZERO);
            }
        }
        LOG.info(() -> "Took migration lock " + key + " after " + Duration.between(start, clock.instant()).toMillis() + " ms");
    }

    /** One blocking wait for the lock: true when it was granted, false when the slice ran out. */
    private boolean waitSlice(Connection session) throws SQLException {
        try {
            return lockStatement(session, LOCK);
        } catch (SQLException e) {
            if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /** 0 turns it off again: the session is ours alone, but it should not keep a setting of the wait. */
    private static void setLockTimeout(Connection session, Duration timeout) throws SQLException {
        try (PreparedStatement statement = session.prepareStatement("SELECT set_config('lock_timeout', ?, false)")) {
            statement.setString(1, Long.toString(timeout.toMillis()));
            statement.execute();
        }
    }

    private boolean tryLock(Connection session) throws SQLException {
        return lockStatement(session, TRY_LOCK);
    }

    /** {@code lockCall} (true when granted), run only if this backend does not hold the key already (first column). */
    private static String unlessHeldHere(String lockCall) {
        return "SELECT held_before.held, CASE WHEN held_before.held THEN false ELSE " + lockCall + " END FROM (" + HELD_HERE
                + ") held_before";
    }

    /** The key as {@code pg_locks} shows a bigint advisory key: classid (high 32 bits), then objid (low 32 bits). */
    private void bindKeyAsInPgLocks(PreparedStatement statement, int classIdIndex) throws SQLException {
        statement.setLong(classIdIndex, key >>> 32);
        statement.setLong(classIdIndex + 1, key & 0xFFFF_FFFFL);
    }

    /** Runs TRY_LOCK or LOCK: true when the lock is ours. */
    private boolean lockStatement(Connection session, String sql) throws SQLException {
        try (PreparedStatement statement = session.prepareStatement(sql)) {
            statement.setLong(1, key); // the lock function's, first in the text
            bindKeyAsInPgLocks(statement, 2);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                if (row.getBoolean(1)) {
                    throw new IllegalStateException("The session asking for migration lock " + key + " held it already: the"
                            + " database connection goes through a pooler in transaction mode (such as PgBouncer's), which hands"
                            + " one client's PostgreSQL session, and its session locks, to the next. Point " + Settings.DB_URL
                            + " at PostgreSQL itself or at a pooler in session mode.");
                }
                return row.getBoolean(2);
            }
        }
    }

    private void release(Connection session) {
        try (PreparedStatement statement = session.prepareStatement(UNLOCK)) {
            statement.setLong(1, key);
            statement.execute();
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "Could not release migration lock " + key + " explicitly; closing its session releases it", e);
        }
    }
}
