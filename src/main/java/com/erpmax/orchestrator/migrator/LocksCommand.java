package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;
import com.erpmax.orchestrator.schema.entity.LockHolder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Who holds the migration lock, and the state of Liquibase's own lock row; optionally clears a stale row. */
final class LocksCommand implements Command {

    /**
     * A waiter shows in pg_locks (not granted) only during its wait slices, and an instance
     * migrating for the holder not at all: each is a session named erpmax-<role>@<host>:<pid>
     * other than the holder's.
     */
    private static final String OTHER_SESSIONS = """
            SELECT pid, application_name, client_addr::text, backend_start, state
              FROM pg_stat_activity
             WHERE application_name ~ '^erpmax-(api|worker|all|migrator)@' AND pid <> pg_backend_pid() AND pid <> ?
             ORDER BY backend_start
            """;
    private static final String LIQUIBASE_LOCK_TABLE_EXISTS = "SELECT to_regclass('databasechangeloglock') IS NOT NULL";
    private static final String LIQUIBASE_LOCK = "SELECT locked, lockedby, lockgranted FROM databasechangeloglock WHERE id = 1";

    @Override
    public String name() {
        return "locks";
    }

    @Override
    public String usage() {
        return "locks [--release-stale]  who holds and who waits for the migration lock; the Liquibase lock row";
    }

    @Override
    public Set<String> options() {
        return Set.of("release-stale");
    }

    @Override
    public int run(Arguments arguments, Migrator migrator, Output output) throws Exception {
        try (Connection connection = migrator.connect()) {
            Optional<LockHolder> holder = migrator.lock().holder(connection);
            output.put("migrationLockKey", migrator.settings().migrationLockKey());
            output.put("holder", holder.map(LocksCommand::holder).orElse(null));
            output.line("migration lock " + migrator.settings().migrationLockKey() + ": "
                    + holder.map(held -> "held by " + held.describe()).orElse("free"));
            List<Object> others = output.list("otherSessions");
            try (PreparedStatement query = connection.prepareStatement(OTHER_SESSIONS)) {
                query.setInt(1, holder.map(LockHolder::pid).orElse(-1));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        LockHolder session = new LockHolder(rows.getInt(1), rows.getString(2), rows.getString(3),
                                rows.getTimestamp(4).toInstant());
                        others.add(holder(session));
                        output.line("  other ERPMax session (waiting for the lock, or migrating for the holder): " + session.describe());
                    }
                }
            }
            output.line("liquibase lock row: " + liquibaseLock(connection, output));
        }
        if (arguments.flag("release-stale")) {
            Optional<String> released = migrator.underLock(() -> {
                try (Connection connection = migrator.connect()) {
                    return migrator.migrations().releaseStaleLiquibaseLock(connection);
                }
            });
            output.put("released", released.orElse(null));
            output.line(released.map(owner -> "released the stale Liquibase lock left by " + owner)
                    .orElse("no stale Liquibase lock to release"));
        }
        return ExitCodes.OK;
    }

    private static Map<String, Object> holder(LockHolder holder) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pid", holder.pid());
        json.put("application", holder.application());
        json.put("clientAddress", holder.clientAddress());
        json.put("since", String.valueOf(holder.since()));
        return json;
    }

    private static String liquibaseLock(Connection connection, Output output) throws Exception {
        try (Statement statement = connection.createStatement();
             ResultSet exists = statement.executeQuery(LIQUIBASE_LOCK_TABLE_EXISTS)) {
            exists.next();
            if (!exists.getBoolean(1)) {
                output.put("liquibaseLocked", false);
                return "none (no Liquibase lock table yet)";
            }
        }
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(LIQUIBASE_LOCK)) {
            if (!row.next()) {
                output.put("liquibaseLocked", false);
                return "none";
            }
            boolean locked = row.getBoolean(1);
            output.put("liquibaseLocked", locked);
            output.put("liquibaseLockedBy", row.getString(2));
            return locked ? "LOCKED by " + row.getString(2) + " since " + row.getTimestamp(3)
                    + " (stale unless that process runs: `locks --release-stale` clears it safely)" : "free";
        }
    }
}
