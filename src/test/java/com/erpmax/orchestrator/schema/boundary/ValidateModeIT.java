package com.erpmax.orchestrator.schema.boundary;

import com.erpmax.orchestrator.platform.control.DirectConnections;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.schema.control.MigrationLock;
import com.erpmax.orchestrator.schema.control.Migrations;
import com.erpmax.orchestrator.testing.HttpReply;
import com.erpmax.orchestrator.testing.MicroInstance;
import com.erpmax.orchestrator.testing.TestDatabase;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code validate} mode, as the production app containers run: never migrate, wait until
 * someone else (the one-shot migrator) has applied this version's changesets, then serve.
 * Changesets of a newer version that this one does not know do not stop it, and Liquibase,
 * most of the WAR's code and kept out of Payara's deployment scan, is never even loaded.
 */
class ValidateModeIT {

    @Test
    void waitsForASchemaMigratedBySomeoneElseAndToleratesNewerChangesets() throws Exception {
        Path classLoads = Path.of(System.getProperty("erpmax.project.dir", "."), "target", "it-logs", "validate-class-load.log")
                .toAbsolutePath();
        Files.createDirectories(classLoads.getParent());
        Files.deleteIfExists(classLoads);
        try (TestDatabase database = TestDatabase.create("validate");
             MicroInstance app = MicroInstance.start("validate", Map.of("ERPMAX_DB_URL", database.url(),
                     "ERPMAX_MIGRATION_MODE", "validate", "ERPMAX_MIGRATION_VALIDATE_POLL", "500ms",
                     "JAVA_OPTS", "-Xlog:class+load=info:file=" + classLoads))) {
            app.awaitDeployed();
            HttpReply waiting = app.await("/health/ready", reply -> reply.body().contains("WAITING_FOR_SCHEMA"), Duration.ofSeconds(30));
            assertEquals(503, waiting.status());
            JsonObject data = waiting.json().getJsonArray("checks").getJsonObject(0).getJsonObject("data");
            int ours = new Migrations(getClass().getClassLoader()).changeSets().size();
            assertEquals(Integer.toString(ours), data.get("pending").toString().replace("\"", ""));
            Thread.sleep(1_500);
            assertEquals(0, database.queryLong("SELECT count(*) FROM pg_tables WHERE tablename = 'jobs'"), "validate mode never migrates");

            // A newer version's expand changeset is already there: not ours, not a reason to wait.
            migrateAsTheMigratorWould(database);
            database.execute("""
                    INSERT INTO databasechangelog (id, author, filename, dateexecuted, orderexecuted, exectype, md5sum, labels)
                    VALUES ('29991231-01-from-the-future', 'erpmax', 'db/changelog/changes/29991231-01-from-the-future.yaml',
                            now(), 99, 'EXECUTED', '9:0', 'expand')
                    """);
            app.awaitReady(Duration.ofSeconds(5));

            HttpReply created = app.postJson("/api/jobs", "{\"type\":\"echo\",\"payload\":{}}");
            assertEquals(201, created.status(), created.toString());
            assertTrue(app.log().contains("WAITING_FOR_SCHEMA"), app.logTail());

            List<String> loaded = Files.readAllLines(classLoads);
            assertTrue(loaded.stream().anyMatch(line -> line.contains(" " + SchemaGate.class.getName() + " ")), "the log lists our classes");
            assertEquals(List.of(), loaded.stream().filter(line -> line.contains(" liquibase.")).limit(5).toList(),
                    "with nothing to migrate, no Liquibase class is loaded");
        }
    }

    private static void migrateAsTheMigratorWould(TestDatabase database) throws Exception {
        Settings settings = database.settings();
        DirectConnections connections = new DirectConnections(settings, "migrator");
        Migrations migrations = new Migrations(ValidateModeIT.class.getClassLoader());
        new MigrationLock(connections, settings.migrationLockKey(), Clock.systemUTC()).withLock(Duration.ofSeconds(30),
                (holder, waited) -> { }, () -> {
                    try (Connection connection = connections.open()) {
                        return migrations.update(connection, null, Duration.ofSeconds(5), 3, (done, total, changeSet, took) -> { });
                    }
                });
    }
}
