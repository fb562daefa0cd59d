package com.erpmax.orchestrator.workers.boundary;

import com.erpmax.orchestrator.testing.MicroInstance;
import com.erpmax.orchestrator.testing.TestDatabase;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker that dies mid-job, and one that is stopped properly, on PostgreSQL-only workers
 * (instant jobs and jobs of an unknown type settle in the transaction that picks them): the killed worker's job is run again once its lease expires and completes once; the stopped
 * worker goes unready at once, keeps answering during the shutdown delay, finishes the job in
 * hand and exits 0.
 */
class WorkerLifecycleIT {

    @Test
    void aKilledWorkersJobRunsAgainAfterItsLeaseAndAStoppedWorkerFinishesItsJob() throws Exception {
        try (TestDatabase database = TestDatabase.create("lifecycle")) {
            Map<String, String> env = Map.of("ERPMAX_DB_URL", database.url(), "ERPMAX_WORKER_LEASE", "2s",
                    "ERPMAX_SWEEPER_INTERVAL", "500ms", "ERPMAX_WORKER_POLL_INTERVAL", "200ms",
                    "ERPMAX_SHUTDOWN_DELAY", "2s", "ERPMAX_SHUTDOWN_GRACE", "15s");
            long killedJob;
            try (MicroInstance first = MicroInstance.start("lifecycle-killed", env)) {
                first.awaitReady(Duration.ofSeconds(120));
                // Instant handlers run in the transaction that picks the job: one attempt, written once.
                long echo = first.postJson("/api/jobs", "{\"type\":\"echo\",\"payload\":{\"po\":42}}")
                        .json().getJsonNumber("id").longValue();
                JsonObject echoed = first.await("/api/jobs/" + echo, reply -> reply.body().contains("\"succeeded\""),
                        Duration.ofSeconds(20)).json();
                assertEquals(1, echoed.getInt("attempts"));
                assertEquals(42, echoed.getJsonObject("result").getInt("po"));
                // A job of a type this version has no handler for (a newer version submitted it) fails the same way.
                database.execute("INSERT INTO jobs (type, payload) VALUES ('invoice.sync.v9', '{}')");
                long orphan = database.queryLong("SELECT id FROM jobs WHERE type = 'invoice.sync.v9'");
                JsonObject dead = first.await("/api/jobs/" + orphan, reply -> reply.body().contains("\"dead\""),
                        Duration.ofSeconds(20)).json();
                assertEquals(1, dead.getInt("attempts"));
                assertTrue(dead.getString("error").contains("invoice.sync.v9"), dead.toString());

                killedJob = first.postJson("/api/jobs", "{\"type\":\"sleep\",\"payload\":{\"millis\":4000}}")
                        .json().getJsonNumber("id").longValue();
                first.await("/api/jobs/" + killedJob, reply -> reply.body().contains("\"running\""), Duration.ofSeconds(20));
                first.kill();
                assertTrue(first.waitForExit(Duration.ofSeconds(20)));
            }
            assertEquals("running", status(database, killedJob), "the dead worker's job is still marked running");

            try (MicroInstance second = MicroInstance.start("lifecycle-stopped", env)) {
                second.awaitReady(Duration.ofSeconds(120));
                JsonObject rerun = second.await("/api/jobs/" + killedJob, reply -> reply.body().contains("\"succeeded\""),
                        Duration.ofSeconds(30)).json();
                assertEquals(2, rerun.getInt("attempts"), "run again once, after the lease expired");
                assertEquals(2, rerun.getJsonObject("result").getInt("attempt"));

                long inHand = second.postJson("/api/jobs", "{\"type\":\"sleep\",\"payload\":{\"millis\":4000}}")
                        .json().getJsonNumber("id").longValue();
                second.await("/api/jobs/" + inHand, reply -> reply.body().contains("\"running\""), Duration.ofSeconds(20));
                second.assertStopsLosslessly("TERM", "/api/jobs/" + inHand);
                assertEquals("succeeded", status(database, inHand), "the job in hand finished before the exit");
                assertTrue(second.log().contains("Workers drained: every job in hand finished"), second.logTail());
            }
        }
    }

    private static String status(TestDatabase database, long id) throws Exception {
        try (var connection = database.connect("erpmax-test"); var statement = connection.createStatement();
             var row = statement.executeQuery("SELECT status FROM jobs WHERE id = " + id)) {
            row.next();
            return row.getString(1);
        }
    }
}
