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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A changeset that fails (its table already exists, as after a hand-made hotfix): start-up
 * goes FAILED. With {@code stay}, readiness says why; with {@code exit} (the default), the
 * process exits with code 3 so that a restart policy or an operator sees it.
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
}
