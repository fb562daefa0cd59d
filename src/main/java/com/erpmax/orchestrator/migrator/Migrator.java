package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.control.DirectConnections;
import com.erpmax.orchestrator.platform.control.InvalidSettingException;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.platform.entity.ExitCodes;
import com.erpmax.orchestrator.schema.control.LockTimeoutException;
import com.erpmax.orchestrator.schema.control.MigrationLock;
import com.erpmax.orchestrator.schema.control.Migrations;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;

/**
 * What every command works with: the same settings, unpooled sessions, lock and changelog as
 * the WAR, so that the migrator and the app instances meet at one lock.
 */
final class Migrator {

    private final Settings settings;
    private final DirectConnections connections;
    private final Migrations migrations;

    Migrator(Settings settings) throws MigratorException {
        this.settings = settings;
        try {
            this.connections = new DirectConnections(settings, "migrator");
        } catch (InvalidSettingException e) {
            throw new MigratorException(ExitCodes.USAGE, e.getMessage() + " (or pass --url)");
        }
        this.migrations = new Migrations(Migrator.class.getClassLoader()).grantingTo(settings.appRole());
    }

    Settings settings() {
        return settings;
    }

    Migrations migrations() {
        return migrations;
    }

    MigrationLock lock() {
        return new MigrationLock(connections, settings.migrationLockKey(), Clock.systemUTC());
    }

    Connection connect() throws MigratorException {
        try {
            return connections.open();
        } catch (SQLException e) {
            throw new MigratorException(ExitCodes.UNAVAILABLE, "cannot connect to " + connections.describeTarget() + ": " + e.getMessage(), e);
        }
    }

    /** Runs the work on a fresh session while holding the migration lock. */
    <T> T underLock(MigrationLock.Work<T> work) throws Exception {
        connect().close(); // fail fast, with exit code 3, when the database is not there at all
        try {
            return lock().withLock(settings.migrationLockTimeout(), (holder, waited) -> { }, work);
        } catch (LockTimeoutException e) {
            throw new MigratorException(ExitCodes.UNAVAILABLE, e.getMessage(), e);
        }
    }
}
