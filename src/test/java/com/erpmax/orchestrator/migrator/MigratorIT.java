package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;
import com.erpmax.orchestrator.testing.MigratorProcess;
import com.erpmax.orchestrator.testing.MigratorProcess.Result;
import com.erpmax.orchestrator.testing.TestDatabase;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The migrator jar as a process against real PostgreSQL: what an operator types, and what a deploy script reads. */
class MigratorIT {

    private static final int CHANGESETS = 8;

    private static Map<String, String> env(TestDatabase database, String... more) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("ERPMAX_DB_URL", database.url(), "ERPMAX_DB_USER", TestDatabase.USER));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    private static Result migrate(TestDatabase database, String... args) throws Exception {
        return MigratorProcess.run(env(database), args);
    }

    @Test
    void everyCommandOnAFreshDatabase() throws Exception {
        try (TestDatabase database = TestDatabase.create("commands")) {
            Result status = migrate(database, "status", "--check");
            assertEquals(ExitCodes.PENDING, status.exitCode(), status.toString());
            assertTrue(status.out().contains("pending: " + CHANGESETS + " changeset(s)"), status.out());

            Result update = migrate(database, "update");
            assertEquals(0, update.exitCode(), update.toString());
            assertTrue(update.out().contains("[1/" + CHANGESETS + "] 20261127-01-create-jobs ... "), update.out());
            assertTrue(update.out().contains("applied " + CHANGESETS + " changeset(s)"), update.out());

            Result json = migrate(database, "status", "--check", "--json");
            assertEquals(0, json.exitCode(), json.toString());
            assertTrue(json.out().contains("\"pending\":[]") && json.out().contains("\"applied\":" + CHANGESETS), json.out());

            Result noop = migrate(database, "update");
            assertEquals(0, noop.exitCode());
            assertTrue(noop.out().contains("schema is current: nothing to apply"), noop.out());

            Result history = migrate(database, "history");
            assertEquals(CHANGESETS, history.out().lines().count(), history.out());
            assertTrue(history.out().contains("9:"), "checksums shown: " + history.out());
            assertTrue(migrate(database, "current").out().contains("20261127-08-index-queued-jobs-by-claim-order"));

            Result preview = migrate(database, "rollback-sql", "--count", "1");
            assertTrue(preview.out().contains("DROP INDEX CONCURRENTLY IF EXISTS jobs_queued_claim_order_idx"), preview.out());
            assertEquals(CHANGESETS, database.queryLong("SELECT count(*) FROM databasechangelog"), "a preview changes nothing");

            Result rollback = migrate(database, "rollback", "--count", "2");
            assertEquals(0, rollback.exitCode(), rollback.toString());
            assertTrue(rollback.out().contains("rolled back 2 changeset(s)"), rollback.out());
            assertEquals(0, migrate(database, "tag", "release-1").exitCode());
            assertTrue(migrate(database, "history", "--json").out().contains("\"tag\":\"release-1\""));
            Result sql = migrate(database, "update-sql");
            assertTrue(sql.out().contains("CREATE INDEX CONCURRENTLY IF NOT EXISTS jobs_queued_claim_order_idx"), sql.out());
            assertEquals(CHANGESETS - 2, database.queryLong("SELECT count(*) FROM databasechangelog"));

            assertEquals(0, migrate(database, "update", "--labels", "expand").exitCode());
            assertEquals(CHANGESETS, database.queryLong("SELECT count(*) FROM databasechangelog"));
            Result toTag = migrate(database, "rollback", "--to-tag", "release-1");
            assertEquals(0, toTag.exitCode(), toTag.toString());
            assertTrue(toTag.out().contains("rolled back 2 changeset(s)"), toTag.out());
            assertEquals(0, migrate(database, "update").exitCode());

            Result validate = migrate(database, "validate");
            assertEquals(0, validate.exitCode(), validate.toString());
            Result locks = migrate(database, "locks");
            assertTrue(locks.out().contains("migration lock 76219836875096: free"), locks.out());

            Result roundTrip = migrate(database, "test-rollback");
            assertEquals(0, roundTrip.exitCode(), roundTrip.toString());
            Matcher scratch = Pattern.compile("scratch database: (\\S+)").matcher(roundTrip.out());
            assertTrue(scratch.find(), roundTrip.out());
            assertEquals(0, database.queryLong("SELECT count(*) FROM pg_database WHERE datname = '" + scratch.group(1) + "'"),
                    "the scratch database is dropped");
        }
    }

    @Test
    void theAppRoleGetsDataRightsAndNoSchemaRights() throws Exception {
        try (TestDatabase database = TestDatabase.create("approle")) {
            database.execute("DO $$ BEGIN CREATE ROLE erpmax_it_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
            Result update = MigratorProcess.run(env(database, "ERPMAX_MIGRATION_APP_ROLE", "erpmax_it_app"), "update");
            assertEquals(0, update.exitCode(), update.toString());
            try (Connection app = database.connect("erpmax-api@test:1"); Statement statement = app.createStatement()) {
                statement.execute("SET ROLE erpmax_it_app");
                statement.execute("INSERT INTO jobs (type) VALUES ('echo')");
                statement.execute("UPDATE jobs SET status = 'running'");
                statement.execute("SELECT count(*) FROM databasechangelog");
                var denied = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                        () -> statement.execute("ALTER TABLE jobs ADD COLUMN sneaky text"));
                assertTrue(denied.getMessage().contains("must be owner"), denied.getMessage());
            }
        }
    }

    @Test
    void anEditedAppliedChangesetFailsValidate() throws Exception {
        try (TestDatabase database = TestDatabase.create("checksum")) {
            assertEquals(0, migrate(database, "update").exitCode());
            database.execute("UPDATE databasechangelog SET md5sum = '9:00000000000000000000000000000000' WHERE id = '20261127-01-create-jobs'");
            Result validate = migrate(database, "validate");
            assertEquals(ExitCodes.FAILED, validate.exitCode(), validate.toString());
            assertTrue(validate.out().contains("20261127-01-create-jobs") && validate.out().contains("was: 9:00000000000000000000000000000000"), validate.out());
            Result update = migrate(database, "update");
            assertEquals(ExitCodes.FAILED, update.exitCode(), "no fast path around a changed checksum: " + update);
        }
    }

    @Test
    void aKilledMigratorLeavesNoStaleLockAndTheNextUpdateCompletes() throws Exception {
        try (TestDatabase database = TestDatabase.create("killed")) {
            assertEquals(0, migrate(database, "update").exitCode());
            assertEquals(0, migrate(database, "rollback", "--count", String.valueOf(CHANGESETS - 2)).exitCode(), "changeset 03 pending again");
            // Make changeset 03 slow: a long transaction holds a lock on jobs, so its ALTER waits.
            try (Connection blocker = database.connect("erpmax-test-blocker")) {
                blocker.setAutoCommit(false);
                try (Statement statement = blocker.createStatement()) {
                    statement.execute("LOCK TABLE jobs IN ACCESS SHARE MODE");
                }
                Process migrator = MigratorProcess.start(env(database, "ERPMAX_MIGRATION_DDL_LOCK_TIMEOUT", "60s"), "update");
                awaitLockWait(database);
                try (Connection waiter = database.connect("erpmax-api@web-7:777")) {
                    Result locks = migrate(database, "locks");
                    assertTrue(locks.out().contains("held by erpmax-migrator@"), "the stuck migrator holds the lock: " + locks.out());
                    assertTrue(locks.out().contains("other ERPMax session (waiting for the lock, or migrating for the holder): erpmax-api@web-7:777"),
                            locks.out());
                    assertTrue(locks.out().contains("liquibase lock row: LOCKED by"), locks.out());
                }
                migrator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                assertEquals(1, database.queryLong("SELECT count(*) FROM databasechangeloglock WHERE locked"),
                        "Liquibase's lock row is left behind, as with any killed Liquibase");
                blocker.rollback();
            }
            Result next = migrate(database, "update");
            assertEquals(0, next.exitCode(), next.toString());
            assertTrue(next.out().contains("released a stale Liquibase lock"), next.out());
            assertTrue(next.err().contains("Took migration lock"), next.err());
            assertFalse(next.err().contains("Waiting"), "the lock was free at once: " + next.err());
            assertEquals(CHANGESETS, database.queryLong("SELECT count(*) FROM databasechangelog"));
            assertEquals(1, database.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'jobs' AND column_name = 'run_at'"));
        }
    }

    @Test
    void ddlWaitingForALongTransactionTimesOutRetriesAndNeverBlocksOthers() throws Exception {
        try (TestDatabase database = TestDatabase.create("locktimeout")) {
            assertEquals(0, migrate(database, "update").exitCode());
            assertEquals(0, migrate(database, "rollback", "--count", String.valueOf(CHANGESETS - 2)).exitCode(), "changeset 03 pending again");
            CompletableFuture<Result> update;
            try (Connection reader = database.connect("erpmax-test-long-report")) {
                reader.setAutoCommit(false);
                try (Statement statement = reader.createStatement()) {
                    statement.execute("SELECT count(*) FROM jobs"); // ACCESS SHARE until the transaction ends
                }
                update = CompletableFuture.supplyAsync(() -> {
                    try {
                        return MigratorProcess.run(env(database, "ERPMAX_MIGRATION_DDL_LOCK_TIMEOUT", "300ms"), "update");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                awaitLockWait(database);
                // Traffic goes on: a writer is delayed by at most one lock_timeout, never queued for long.
                for (int i = 0; i < 5; i++) {
                    long start = System.nanoTime();
                    database.execute("INSERT INTO jobs (type) VALUES ('echo')");
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertTrue(millis < 1_500, "an insert waited " + millis + " ms behind the migration");
                }
                Thread.sleep(1_000);
                assertFalse(update.isDone(), "the migration keeps retrying while the transaction runs");
                reader.rollback();
            }
            Result result = update.get(60, TimeUnit.SECONDS);
            assertEquals(0, result.exitCode(), result.toString());
            assertTrue(result.err().contains("lock_timeout"), "the waits are logged: " + result.err());
            assertEquals(CHANGESETS, database.queryLong("SELECT count(*) FROM databasechangelog"));
            assertEquals(5, database.queryLong("SELECT count(*) FROM jobs"));
        }
    }

    @Test
    void twoMigratorsTogetherApplyEachChangesetOnce() throws Exception {
        try (TestDatabase database = TestDatabase.create("twomigrators")) {
            var first = CompletableFuture.supplyAsync(() -> run(database, "update"));
            var second = CompletableFuture.supplyAsync(() -> run(database, "update"));
            Result a = first.get(120, TimeUnit.SECONDS);
            Result b = second.get(120, TimeUnit.SECONDS);
            assertEquals(0, a.exitCode(), a.toString());
            assertEquals(0, b.exitCode(), b.toString());
            assertEquals(CHANGESETS, database.queryLong("SELECT count(*) FROM databasechangelog"));
            assertEquals(CHANGESETS, database.queryLong("SELECT count(DISTINCT id) FROM databasechangelog"));
            assertEquals(1, Stream.of(a, b).filter(r -> r.out().contains("applied " + CHANGESETS)).count(), a.out() + b.out());
        }
    }

    @Test
    void backupThenDestructiveChangeThenRestoreBringsTheDataBack(@TempDir Path backups) throws Exception {
        try (TestDatabase database = TestDatabase.create("backup")) {
            assertEquals(0, migrate(database, "update").exitCode());
            database.execute("INSERT INTO jobs (type, payload) VALUES ('echo', '{\"invoice\": 7}')");
            assertEquals(0, migrate(database, "rollback", "--count", "1").exitCode());

            Result update = migrate(database, "update", "--backup", backups.toString());
            assertEquals(0, update.exitCode(), update.toString());
            Matcher file = Pattern.compile("backup: (\\S+\\.dump)").matcher(update.out());
            assertTrue(file.find(), update.out());
            assertTrue(Files.size(Path.of(file.group(1))) > 0);

            assertEquals(0, migrate(database, "rollback", "--count", String.valueOf(CHANGESETS)).exitCode(), "drops every table");
            assertEquals(0, database.queryLong("SELECT count(*) FROM pg_tables WHERE tablename = 'jobs'"));

            Result restore = migrate(database, "restore", file.group(1));
            assertEquals(0, restore.exitCode(), restore.toString());
            assertEquals(1, database.queryLong("SELECT count(*) FROM jobs WHERE payload ->> 'invoice' = '7'"));
            assertEquals(CHANGESETS - 1, database.queryLong("SELECT count(*) FROM databasechangelog"), "the schema as it was backed up");
        }
    }

    @Test
    void restoreIsRefusedWhileAnAppInstanceIsConnected(@TempDir Path backups) throws Exception {
        try (TestDatabase database = TestDatabase.create("restorerefused")) {
            Path dump = backups.resolve("empty.dump");
            assertEquals(0, migrate(database, "update").exitCode());
            assertEquals(0, migrate(database, "rollback", "--count", "1").exitCode());
            assertEquals(0, migrate(database, "update", "--backup", backups.toString()).exitCode());
            try (Stream<Path> files = Files.list(backups)) {
                Files.move(files.findFirst().orElseThrow(), dump);
            }
            try (Connection app = database.connect("erpmax-api@web-1:42")) {
                Result refused = migrate(database, "restore", dump.toString());
                assertEquals(ExitCodes.FAILED, refused.exitCode(), refused.toString());
                assertTrue(refused.err().contains("erpmax-api@web-1:42"), refused.err());
                assertEquals(0, migrate(database, "restore", dump.toString(), "--force").exitCode());
            }
        }
    }

    @Test
    void badInputGetsOneClearLineAndTheRightExitCode() throws Exception {
        try (TestDatabase database = TestDatabase.create("badinput")) {
            assertBad(MigratorProcess.run(env(database), "upgrade"), ExitCodes.USAGE, "unknown command 'upgrade'");
            assertBad(MigratorProcess.run(env(database), "update", "--lables", "expand"), ExitCodes.USAGE, "unknown option --lables");
            assertBad(MigratorProcess.run(env(database), "rollback"), ExitCodes.USAGE, "give exactly one of --count, --to-tag, --to-date");
            assertBad(MigratorProcess.run(Map.of(), "status"), ExitCodes.USAGE, "erpmax.db.url is not set (environment ERPMAX_DB_URL)");
            assertBad(MigratorProcess.run(env(database, "ERPMAX_DB_USER", "no_such_role"), "status"), ExitCodes.UNAVAILABLE, "no_such_role");
            assertBad(MigratorProcess.run(env(database, "ERPMAX_DB_URL", "jdbc:postgresql://127.0.0.1:1/erpmax"), "update"),
                    ExitCodes.UNAVAILABLE, "cannot connect to jdbc:postgresql://127.0.0.1:1/erpmax");
            Result help = MigratorProcess.run(Map.of(), "--help");
            assertEquals(0, help.exitCode());
            assertTrue(help.out().contains("exit codes: 0 ok, 1 failed, 2 usage, 3 database or lock unavailable, 4 pending"), help.out());
            Result verbose = MigratorProcess.run(env(database, "ERPMAX_DB_URL", "jdbc:postgresql://127.0.0.1:1/erpmax"), "update", "--verbose");
            assertTrue(verbose.err().contains("\tat "), "stack traces with --verbose: " + verbose.err());
        }
    }

    private static void assertBad(Result result, int exitCode, String message) {
        assertEquals(exitCode, result.exitCode(), result.toString());
        List<String> lines = result.err().lines().filter(line -> line.startsWith("error: ")).toList();
        assertEquals(1, lines.size(), result.toString());
        assertTrue(lines.get(0).contains(message), result.toString());
        assertFalse(result.err().contains("\tat "), "no stack trace without --verbose: " + result.err());
    }

    private static Result run(TestDatabase database, String... args) {
        try {
            return migrate(database, args);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Until the migrator's DDL waits for a table lock. */
    private static void awaitLockWait(TestDatabase database) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (database.queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                + "AND wait_event_type = 'Lock' AND application_name LIKE 'erpmax-migrator@%'") == 0) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the migrator never waited for the table lock");
            }
            Thread.sleep(50);
        }
    }
}
