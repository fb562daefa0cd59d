package com.erpmax.orchestrator.schema.control;

import com.erpmax.orchestrator.platform.control.DirectConnections;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.schema.entity.ChangeSetRef;
import com.erpmax.orchestrator.testing.TestDatabase;

import liquibase.Liquibase;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real changelog on real PostgreSQL. */
class MigrationsTest {

    private final Migrations migrations = new Migrations(getClass().getClassLoader());

    @Test
    void updateAppliesEverythingWithProgressThenRollbackOfAllThenUpdateAgain() throws Exception {
        try (TestDatabase database = TestDatabase.create("migrations"); Connection connection = open(database)) {
            int total = migrations.changeSets().size();
            assertEquals(total, migrations.pending(connection).size(), "an empty database has everything pending");

            List<String> progress = new ArrayList<>();
            int applied = migrations.update(connection, null, Duration.ofSeconds(5), 3,
                    (done, all, changeSet, took) -> progress.add(done + "/" + all + " " + changeSet.id()));
            assertEquals(total, applied);
            assertEquals("1/" + total + " " + migrations.changeSets().get(0).id(), progress.get(0));
            assertEquals(List.of(), migrations.pending(connection), "our bookkeeping agrees with Liquibase's");
            assertEquals(0, migrations.update(connection, null, Duration.ofSeconds(5), 3, (d, a, c, t) -> { }), "a no-op");

            Liquibase liquibase = new Liquibase(Migrations.CHANGELOG, new ClassLoaderResourceAccessor(),
                    DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection)));
            liquibase.rollback(total, null);
            assertEquals(0, database.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                    + "AND tablename NOT LIKE 'databasechangelog%'"), "every changeset rolled back cleanly");
            assertEquals(total, migrations.pending(connection).size());

            assertEquals(total, migrations.update(connection, null, Duration.ofSeconds(5), 3, (d, a, c, t) -> { }));
        }
    }

    @Test
    void aStaleLiquibaseLockRowIsReleasedAndItsOwnerReported() throws Exception {
        try (TestDatabase database = TestDatabase.create("stale"); Connection connection = open(database)) {
            assertEquals(Optional.empty(), migrations.releaseStaleLiquibaseLock(connection), "no lock table yet");
            database.execute("""
                    CREATE TABLE databasechangeloglock (id integer PRIMARY KEY, locked boolean NOT NULL,
                                                        lockgranted timestamp, lockedby varchar(255));
                    INSERT INTO databasechangeloglock VALUES (1, TRUE, now(), 'killed-pod (10.1.2.3)');
                    """);
            String owner = migrations.releaseStaleLiquibaseLock(connection).orElseThrow();
            assertTrue(owner.startsWith("killed-pod (10.1.2.3)"), owner);
            assertEquals(0, database.queryLong("SELECT count(*) FROM databasechangeloglock WHERE locked"));
            assertEquals(Optional.empty(), migrations.releaseStaleLiquibaseLock(connection), "nothing left to release");
        }
    }

    @Test
    void everyChangesetLivesInAFileNamedAfterIt() throws Exception {
        List<ChangeSetRef> changeSets = migrations.changeSets();
        assertEquals(changeSets.size(), changeSets.stream().map(ChangeSetRef::file).distinct().count(), "one file per change");
        for (ChangeSetRef changeSet : changeSets) {
            assertTrue(changeSet.file().endsWith("/" + changeSet.id() + ".yaml"), "file named after its changeset: " + changeSet);
        }
    }

    private static Connection open(TestDatabase database) throws Exception {
        Settings settings = database.settings();
        return new DirectConnections(settings, "migrator").open();
    }
}
