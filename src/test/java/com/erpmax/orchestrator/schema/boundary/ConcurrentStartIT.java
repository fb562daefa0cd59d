package com.erpmax.orchestrator.schema.boundary;

import com.erpmax.orchestrator.testing.HttpReply;
import com.erpmax.orchestrator.testing.MicroInstance;
import com.erpmax.orchestrator.testing.TestDatabase;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances started together on one empty database, with no broker: the lock lets one
 * migrate, the other finds the schema current; each changeset is applied once and both serve.
 * The second instance runs workers that claim straight from PostgreSQL. Neither logs a warning.
 * Ctrl-C (SIGINT) then stops the first as SIGTERM would.
 */
class ConcurrentStartIT {

    @Test
    void twoInstancesOnAnEmptyDatabaseApplyEachChangesetOnceAndBothBecomeReady() throws Exception {
        try (TestDatabase database = TestDatabase.create("twins");
             MicroInstance api = MicroInstance.start("twin-api", Map.of("ERPMAX_DB_URL", database.url(), "ERPMAX_ROLE", "api"));
             MicroInstance worker = MicroInstance.start("twin-worker", Map.of("ERPMAX_DB_URL", database.url(), "ERPMAX_ROLE", "worker",
                     "ERPMAX_WORKER_POLL_INTERVAL", "200ms"))) {
            api.awaitReady(Duration.ofSeconds(120));
            worker.awaitReady(Duration.ofSeconds(120));

            long applied = database.queryLong("SELECT count(*) FROM databasechangelog");
            long distinct = database.queryLong("SELECT count(DISTINCT (id, author, filename)) FROM databasechangelog");
            assertTrue(applied >= 2, "the changelog was applied");
            assertEquals(distinct, applied, "no changeset applied twice");
            String logs = api.log() + worker.log();
            assertEquals(1, count(logs, "Applied " + applied + " changeset(s)"), "exactly one instance migrated");

            // No broker: the api instance only records the job; the worker instance claims it from PostgreSQL.
            HttpReply created = api.postJson("/api/jobs", "{\"type\":\"echo\",\"payload\":{\"via\":\"postgres\"}}");
            assertEquals(201, created.status(), created.toString());
            long id = created.json().getJsonNumber("id").longValue();
            HttpReply done = api.await("/api/jobs/" + id, reply -> reply.body().contains("\"succeeded\""), Duration.ofSeconds(15));
            assertEquals("postgres", done.json().getJsonObject("result").getString("via"));

            HttpReply workerApi = worker.get("/api/jobs/" + id);
            assertEquals(404, workerApi.status(), "a worker-only instance serves no API: " + workerApi);
            assertEquals("wrong-role", workerApi.json().getString("code"));

            // A normal start, even one that waits for the other's migration, gives an operator nothing to look into.
            for (MicroInstance instance : new MicroInstance[] {api, worker}) {
                assertFalse(instance.log().contains("] [WARNING] [") || instance.log().contains("] [SEVERE] ["),
                        instance.name() + " logged a WARNING or SEVERE:\n" + instance.logTail());
            }

            // Ctrl-C stops an instance as SIGTERM does: readiness DOWN at once, requests still answered, then exit 0.
            api.assertStopsLosslessly("INT", "/api/jobs/" + id);
            assertTrue(api.log().contains("Drained in "), api.logTail());
        }
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }
}
