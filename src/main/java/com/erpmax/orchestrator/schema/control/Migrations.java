package com.erpmax.orchestrator.schema.control;

import com.erpmax.orchestrator.schema.entity.AppliedChangeSet;
import com.erpmax.orchestrator.schema.entity.ChangeSetRef;
import com.erpmax.orchestrator.schema.entity.ChangelogEntry;


import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Our Liquibase changelog and what can be done with it: which changesets are pending, and
 * applying them. Knows nothing of locks (the caller holds {@link MigrationLock}) nor of CDI,
 * so the WAR and the migrator share it.
 * <p>
 * Its code names no Liquibase type: what needs Liquibase is in {@link LiquibaseChangelog},
 * loaded only when Liquibase has work to do. A boot that finds nothing pending (the manifest
 * and one query) so loads none of Liquibase's classes.
 */
public final class Migrations {

    /** Without a {@code classpath:} prefix: with it, Liquibase inside Payara reports "not found". */
    public static final String CHANGELOG = "db/changelog/db.changelog-master.yaml";

    private static final Logger LOG = Logger.getLogger(Migrations.class.getName());

    /** SQLSTATE lock_not_available: our {@code lock_timeout} expired while DDL queued for a table lock. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private static final String APPLIED = "SELECT id, author, filename, md5sum FROM databasechangelog";
    private static final String HISTORY = """
            SELECT id, author, filename, dateexecuted, orderexecuted, tag, md5sum, labels
              FROM databasechangelog ORDER BY orderexecuted
            """;
    private static final String CHANGELOG_TABLE_EXISTS = "SELECT to_regclass('databasechangelog') IS NOT NULL";
    /** RETURNING shows new values; the self-join hands back who held the row before. */
    private static final String RELEASE_STALE_LIQUIBASE_LOCK = """
            UPDATE databasechangeloglock lock SET locked = FALSE, lockgranted = NULL, lockedby = NULL
              FROM (SELECT id, lockedby, lockgranted FROM databasechangeloglock WHERE locked FOR UPDATE) stale
             WHERE lock.id = stale.id
            RETURNING stale.lockedby, stale.lockgranted
            """;
    private static final String LIQUIBASE_LOCK_TABLE_EXISTS = "SELECT to_regclass('databasechangeloglock') IS NOT NULL";

    /** Told as each changeset is applied. */
    public interface Progress {
        void applied(int done, int total, ChangeSetRef changeSet, Duration took);
    }

    private final ClassLoader classLoader;
    private final String changelog;
    private final boolean ignoreManifest;
    private String appRole = "";
    private volatile List<ChangelogEntry> entries;

    public Migrations(ClassLoader classLoader) {
        this(classLoader, CHANGELOG, false);
    }

    /**
     * @param ignoreManifest parse the changelog with Liquibase even when a build-time manifest
     *                       is on the class path (the manifest's own generation; tests)
     */
    public Migrations(ClassLoader classLoader, String changelog, boolean ignoreManifest) {
        this.classLoader = classLoader;
        this.changelog = changelog;
        this.ignoreManifest = ignoreManifest;
    }

    /**
     * The DML-only role that changesets grant rights to. Passed to them as the session setting
     * {@code erpmax.app_role}, not as a Liquibase parameter, so that checksums do not depend on it.
     */
    public Migrations grantingTo(String role) {
        this.appRole = role;
        return this;
    }

    /** Every changeset of the changelog, in order. */
    public List<ChangeSetRef> changeSets() throws Exception {
        return entries().stream().map(ChangelogEntry::changeSet).toList();
    }

    /** The changesets with their checksums: from the build-time manifest when it matches, else parsed by Liquibase. */
    public List<ChangelogEntry> entries() throws Exception {
        List<ChangelogEntry> result = entries;
        if (result == null) {
            Optional<List<ChangelogEntry>> manifest = ignoreManifest ? Optional.empty() : ChangelogManifest.read(classLoader, changelog);
            result = manifest.isPresent() ? manifest.get() : parseEntries();
            entries = result;
        }
        return result;
    }

    List<ChangelogEntry> parseEntries() throws Exception {
        return liquibase().parseEntries();
    }

    /**
     * Our changesets that the database has not applied, read from {@code databasechangelog}
     * with one query and without starting Liquibase, and without writing anything: a DML-only
     * role in {@code validate} mode can call it. Changesets the database has and we do not
     * know (a newer version's) are not our concern and are ignored.
     */
    public List<ChangeSetRef> pending(Connection connection) throws Exception {
        return compare(connection).pending();
    }

    /**
     * Our changesets against {@code databasechangelog}: those to run (new ones, and changed
     * run-on-change ones), and applied ones whose recorded checksum differs from the file's
     * (an applied file was edited, or an older Liquibase recorded it; Liquibase decides which).
     */
    public Comparison compare(Connection connection) throws Exception {
        Map<ChangeSetRef, String> applied = new HashMap<>();
        if (queryBoolean(connection, CHANGELOG_TABLE_EXISTS)) {
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(APPLIED)) {
                while (rows.next()) {
                    applied.put(new ChangeSetRef(rows.getString(1), rows.getString(2), rows.getString(3)), rows.getString(4));
                }
            }
        }
        List<ChangeSetRef> pending = new ArrayList<>();
        List<ChangeSetRef> changed = new ArrayList<>();
        for (ChangelogEntry entry : entries()) {
            String recorded = applied.get(entry.changeSet());
            boolean differs = recorded != null && !recorded.equals(entry.checksum());
            if (recorded == null || (differs && entry.runOnChange())) {
                pending.add(entry.changeSet());
            } else if (differs) {
                changed.add(entry.changeSet());
            }
        }
        return new Comparison(List.copyOf(pending), List.copyOf(changed));
    }

    /** What {@link #compare} found. */
    public record Comparison(List<ChangeSetRef> pending, List<ChangeSetRef> checksumChanged) {
        /** Nothing to run and nothing for Liquibase to check: an update would be a no-op. */
        public boolean isCurrent() {
            return pending.isEmpty() && checksumChanged.isEmpty();
        }
    }

    /** What the database has applied, in order (ours and any other version's). Reads only. */
    public List<AppliedChangeSet> history(Connection connection) throws SQLException {
        List<AppliedChangeSet> history = new ArrayList<>();
        if (!queryBoolean(connection, CHANGELOG_TABLE_EXISTS)) {
            return history;
        }
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(HISTORY)) {
            while (rows.next()) {
                history.add(new AppliedChangeSet(new ChangeSetRef(rows.getString(1), rows.getString(2), rows.getString(3)),
                        rows.getTimestamp(4).toInstant(), rows.getInt(5), rows.getString(6), rows.getString(7), rows.getString(8)));
            }
        }
        return history;
    }

    /** Runs Liquibase itself on the connection (rollback, tag, validate), with analytics off. */
    public <T> T withLiquibase(Connection connection, LiquibaseWork<T> work) throws Exception {
        return liquibase().withLiquibase(connection, work);
    }

    /** Work with a Liquibase instance bound to our changelog. */
    public interface LiquibaseWork<T> {
        T run(liquibase.Liquibase liquibase) throws Exception;
    }

    /**
     * Clears a LOCKED row in Liquibase's own lock table. Call only while holding
     * {@link MigrationLock}: any other Liquibase run of ours would hold that lock, so such a
     * row was left by a process that died.
     *
     * @return who had left it, if there was one
     */
    public Optional<String> releaseStaleLiquibaseLock(Connection connection) throws SQLException {
        if (!queryBoolean(connection, LIQUIBASE_LOCK_TABLE_EXISTS)) {
            return Optional.empty();
        }
        try (PreparedStatement statement = connection.prepareStatement(RELEASE_STALE_LIQUIBASE_LOCK);
             ResultSet row = statement.executeQuery()) {
            if (!row.next()) {
                return Optional.empty();
            }
            String owner = row.getString(1) + " (granted " + row.getTimestamp(2) + ")";
            LOG.warning(() -> "Released a stale Liquibase lock left by " + owner
                    + ": its owner cannot be running, since it would hold the migration lock");
            return Optional.of(owner);
        }
    }

    /**
     * Applies the pending changesets (optionally only those matching a label expression). DDL
     * runs with {@code lock_timeout}; when it expires the failed changeset has rolled back and
     * the update is retried with backoff, so a migration never sits in the lock queue of a
     * busy table and freezes its traffic.
     *
     * @return the number of changesets applied
     */
    public int update(Connection connection, String labels, Duration ddlLockTimeout, int retries, Progress progress) throws Exception {
        Comparison comparison = compare(connection);
        if (comparison.isCurrent()) {
            return 0;
        }
        int total = comparison.pending().size();
        setLockTimeout(connection, ddlLockTimeout);
        int[] done = {0};
        for (int attempt = 1; ; attempt++) {
            try {
                liquibase().update(connection, labels, done, total, progress);
                return done[0];
            } catch (Exception e) {
                if (!isLockTimeout(e) || attempt > retries) {
                    throw e;
                }
                int retry = attempt;
                Duration backoff = Duration.ofMillis(Math.min(30_000, 500L << Math.min(retry, 6)));
                LOG.warning(() -> "A changeset waited longer than lock_timeout " + ddlLockTimeout.toMillis()
                        + " ms for a table lock (a long transaction holds it); retry " + retry + " of " + retries
                        + " in " + backoff.toMillis() + " ms");
                Thread.sleep(backoff.toMillis());
            }
        }
    }

    /**
     * Loads and initialises Liquibase's machinery (database dialect, SQL generators, change
     * model) by rendering our changesets' SQL, without touching the database. Done while
     * waiting for the lock, it takes about a second off the time from lock release to READY.
     */
    public void warmUp(Connection connection) throws Exception {
        liquibase().warmUp(connection);
    }

    /**
     * {@code lock_timeout} keeps DDL out of long lock queues. {@code client_connection_check_interval}
     * (PostgreSQL 14+) ends this session within a second when our process is killed, even in the
     * middle of a statement, so that nothing it holds outlives it.
     */
    private static void setLockTimeout(Connection connection, Duration timeout) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET lock_timeout = " + timeout.toMillis());
            if (connection.getMetaData().getDatabaseMajorVersion() >= 14) {
                statement.execute("SET client_connection_check_interval = 1000");
            }
        }
    }

    static boolean isLockTimeout(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                return true;
            }
            if (cause.getMessage() != null && cause.getMessage().contains("lock timeout")) {
                return true;
            }
        }
        return false;
    }

    /** Liquibase's side of this changelog; its classes load on the first call. */
    private LiquibaseChangelog liquibase() {
        return new LiquibaseChangelog(classLoader, changelog, appRole);
    }

    private static boolean queryBoolean(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getBoolean(1);
        }
    }
}
