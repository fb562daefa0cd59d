package com.erpmax.orchestrator.schema.boundary;

import com.erpmax.orchestrator.platform.entity.ExitCodes;
import com.erpmax.orchestrator.testing.HttpReply;
import com.erpmax.orchestrator.testing.MicroInstance;
import com.erpmax.orchestrator.testing.TestDatabase;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up goes FAILED on settings that cannot be used, before it waits for anything, and on a
 * changeset that fails (its table already exists, as after a hand-made hotfix). With
 * {@code stay}, readiness says why; with {@code exit} (the default), the process exits with
 * code 3 so that a restart policy or an operator sees it.
 */
class FailedStartIT {

    @Test
    void aFailingChangesetFailsStartUpVisiblyAndTheExitPolicyExitsWithCode3() throws Exception {
        try (TestDatabase database = TestDatabase.create("failing")) {
            database.execute("CREATE TABLE jobs (id integer)");
            try (MicroInstance staying = MicroInstance.start("failed-stay", Map.of("ERPMAX_DB_URL", database.url(),
                    "ERPMAX_STARTUP_ON_FAILURE", "stay"));
                 MicroInstance exiting = MicroInstance.start("failed-exit", Map.of("ERPMAX_DB_URL", database.url()))) {

                HttpReply ready = staying.await("/health/ready", reply -> reply.body().contains("FAILED"), Duration.ofSeconds(120));
                assertEquals(503, ready.status());
                JsonObject data = ready.json().getJsonArray("checks").getJsonObject(0).getJsonObject("data");
                assertEquals("FAILED", data.getString("phase"));
                assertTrue(data.getString("lastError").contains("\"jobs\" already exists"), data.toString());
                assertEquals(200, staying.get("/health/live").status(), "a staying instance keeps answering");
                HttpReply api = staying.get("/api/jobs/1");
                assertEquals(503, api.status());
                assertEquals("FAILED", api.json().getString("phase"));

                assertTrue(exiting.waitForExit(Duration.ofSeconds(120)), "the exit policy ends the process\n" + exiting.logTail());
                assertEquals(ExitCodes.STARTUP_FAILED, exiting.exitCode(), exiting.logTail());
                assertTrue(exiting.log().contains("Start-up FAILED"), exiting.logTail());
            }
            assertEquals(0, database.queryLong("SELECT count(*) FROM databasechangelog"), "the failed changeset was rolled back");
        }
    }

    @Test
    void unusableSettingsFailStartUpAtOnceAllNamedWithNoPasswordShownAndSigtermStillStopsIt() throws Exception {
        try (TestDatabase database = TestDatabase.create("badsettings");
             MicroInstance instance = MicroInstance.start("bad-settings", Map.of("ERPMAX_DB_URL", database.url(),
                     "ERPMAX_STARTUP_ON_FAILURE", "stay", "ERPMAX_ROLE", "bogus", "ERPMAX_WORKER_CONCURRENCY", "0",
                     "ERPMAX_AMQP_URI", "amqp://erpmax:s3cret word@localhost:5672", "ERPMAX_SHUTDOWN_GRACE", "-5s"))) {

            HttpReply ready = instance.await("/health/ready", reply -> reply.body().contains("FAILED"), Duration.ofSeconds(120));
            assertEquals(503, ready.status());
            String reason = ready.json().getJsonArray("checks").getJsonObject(0).getJsonObject("data").getString("lastError");
            assertTrue(reason.contains("erpmax.role must be one of api|worker|all, got 'bogus'"), reason);
            assertTrue(reason.contains("erpmax.worker.concurrency must be a positive integer, got '0'"), reason);
            assertTrue(reason.contains("erpmax.amqp.uri must be a URI such as amqp://"), reason);
            assertTrue(instance.log().contains("Start-up FAILED: " + reason), "the log says the same: " + instance.logTail());
            assertFalse(ready.body().contains("s3cret"), ready.body());
            assertFalse(instance.log().contains("s3cret"), instance.logTail());
            assertFalse(instance.log().contains("WAITING_FOR_DATABASE"), "nothing waited: " + instance.logTail());
            assertEquals(0, database.queryLong("SELECT count(*) FROM pg_tables WHERE tablename = 'databasechangelog'"), "nothing migrated");
            assertTrue(reason.contains("erpmax.shutdown.grace must not be negative"), reason);

            // One SIGTERM still stops it, on the shutdown settings' defaults.
            instance.terminate();
            assertTrue(instance.waitForExit(Duration.ofSeconds(30)), "SIGTERM stopped the instance\n" + instance.logTail());
            assertEquals(0, instance.exitCode(), instance.logTail());
        }
    }
}
