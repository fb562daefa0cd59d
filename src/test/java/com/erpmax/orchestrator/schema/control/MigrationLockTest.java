package com.erpmax.orchestrator.schema.control;

import com.erpmax.orchestrator.platform.control.DirectConnections;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.schema.entity.LockHolder;
import com.erpmax.orchestrator.testing.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The migration lock on real PostgreSQL sessions. */
class MigrationLockTest {

    private static final long KEY = 4_242_424_242L;
    private static TestDatabase database;
    private static DirectConnections connections;

    @BeforeAll
    static void createDatabase() throws Exception {
        database = TestDatabase.create("lock");
        Settings settings = database.settings();
        connections = new DirectConnections(settings, "migrator");
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        database.close();
    }

    @Test
    void aWaiterSeesTheHolderAndProceedsWhenTheHolderDies() throws Exception {
        List<Optional<LockHolder>> seen = new CopyOnWriteArrayList<>();
        Connection holder = database.connect("erpmax-api@host-a:4711");
        try (Statement statement = holder.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + KEY + ")");
        }
        MigrationLock lock = new MigrationLock(connections, KEY, Clock.systemUTC());
        CompletableFuture<String> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return lock.withLock(Duration.ofSeconds(30), (who, waited) -> seen.add(who), () -> "migrated");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1_200);
        assertFalse(waiter.isDone(), "the lock is held");
        LockHolder reported = seen.get(0).orElseThrow();
        assertEquals("erpmax-api@host-a:4711", reported.application());

        holder.close(); // the holder's process dies: PostgreSQL drops its session lock
        assertEquals("migrated", waiter.get(5, TimeUnit.SECONDS));
    }

    @Test
    void theLockIsFreeAgainAfterTheWorkEvenWhenTheWorkFails() throws Exception {
        MigrationLock lock = new MigrationLock(connections, KEY + 1, Clock.systemUTC());
        assertThrows(IllegalStateException.class, () -> lock.withLock(Duration.ofSeconds(5), (who, waited) -> { },
                () -> {
                    throw new IllegalStateException("changeset failed");
                }));
        assertEquals("again", lock.withLock(Duration.ofSeconds(1), (who, waited) -> { }, () -> "again"));
    }

    @Test
    void aLockHeldPastTheTimeoutFailsNamingTheHolder() throws Exception {
        try (Connection holder = database.connect("erpmax-worker@host-b:99"); Statement statement = holder.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + (KEY + 2) + ")");
            MigrationLock lock = new MigrationLock(connections, KEY + 2, Clock.systemUTC());
            LockTimeoutException timeout = assertThrows(LockTimeoutException.class,
                    () -> lock.withLock(Duration.ofSeconds(1), (who, waited) -> { }, () -> "never"));
            assertTrue(timeout.getMessage().contains("erpmax-worker@host-b:99"), timeout.getMessage());
        }
    }

    @Test
    void ourSessionsNameThemselvesForOthersToSee() throws Exception {
        try (Connection session = connections.open(); Statement statement = session.createStatement();
             var row = statement.executeQuery("SELECT current_setting('application_name')")) {
            row.next();
            assertTrue(row.getString(1).matches("erpmax-migrator@.+:\\d+"), row.getString(1));
        }
    }

    /**
     * What a pooler in transaction mode (PgBouncer's) does: it hands a PostgreSQL session that
     * still holds one instance's session lock to the next client, where the re-entrant lock would
     * be granted again and two migrations would run at once. Here the session holds it already.
     */
    @Test
    void aSessionThatHoldsTheLockAlreadyIsRefusedAndTheWorkDoesNotRun() throws Exception {
        MigrationLock lock = new MigrationLock(connections, KEY + 3, Clock.systemUTC());
        List<String> ran = new CopyOnWriteArrayList<>();
        try (Connection pooled = connections.open(); Statement statement = pooled.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + (KEY + 3) + ")"); // the previous client's
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> lock.withLock(pooled, Duration.ofSeconds(1), (who, waited) -> { }, () -> ran.add("migrated")));
            assertTrue(refused.getMessage().contains("pooler in transaction mode"), refused.getMessage());
            assertEquals(List.of(), ran);
            try (var count = statement.executeQuery("SELECT pg_advisory_unlock(" + (KEY + 3) + "), pg_advisory_unlock(" + (KEY + 3) + ")")) {
                count.next();
                assertEquals(List.of(true, false), List.of(count.getBoolean(1), count.getBoolean(2)),
                        "the refusal did not take the lock a second time: one release frees it");
            }
        }
        assertEquals("fresh", lock.withLock(Duration.ofSeconds(1), (who, waited) -> { }, () -> "fresh"), "a fresh session takes it");
    }
}
