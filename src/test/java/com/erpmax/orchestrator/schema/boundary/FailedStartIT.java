package com.erpmax.orchestrator.schema.boundary;

import com.erpmax.orchestrator.platform.control.ApplicationDatabase;
import com.erpmax.orchestrator.platform.entity.ExitCodes;
import com.erpmax.orchestrator.testing.HttpReply;
import com.erpmax.orchestrator.testing.MicroInstance;
import com.erpmax.orchestrator.testing.TestDatabase;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up goes FAILED on settings that cannot be used, before it waits for anything, on a
 * changeset that fails (its table already exists, as after a hand-made hotfix), and on a WAR that
 * does not deploy (which Payara Micro alone would survive, serving nothing). With
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
                assertEquals(0, database.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                        + ApplicationDatabase.POOL_NAME + "' AND datname = current_database()"),
                        "a FAILED instance opened no pool, though its readiness was asked");
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

    @Test
    void aWarThatDoesNotDeployEndsTheProcessWithCode3UnlessTheInstanceShouldStay() throws Exception {
        // A WAR cut short, as by a copy interrupted during a deployment. Micro logs the error, says
        // "ready in", and would go on answering 404 on every path.
        Path war = Path.of("target", "erpmax.war");
        Path truncated = Files.createDirectories(Path.of("target", "it-wars")).resolve("erpmax.war");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(war), (int) (Files.size(war) / 2)));
        try (TestDatabase database = TestDatabase.create("undeployable");
             MicroInstance exiting = MicroInstance.start("undeployable-exit", Map.of("ERPMAX_DB_URL", database.url(),
                     "ERPMAX_WAR", truncated.toAbsolutePath().toString()));
             MicroInstance staying = MicroInstance.start("undeployable-stay", Map.of("ERPMAX_DB_URL", database.url(),
                     "ERPMAX_WAR", truncated.toAbsolutePath().toString(), "ERPMAX_STARTUP_ON_FAILURE", "stay"))) {

            assertTrue(exiting.waitForExit(Duration.ofSeconds(120)), "the process ends\n" + exiting.logTail());
            assertEquals(ExitCodes.STARTUP_FAILED, exiting.exitCode(), exiting.logTail());
            assertTrue(exiting.log().contains("Start-up FAILED: not deployed: " + truncated.toAbsolutePath()), exiting.logTail());
            assertTrue(exiting.log().contains("invalid zip file"), "Payara's own error is in the log too: " + exiting.logTail());
            assertTrue(exiting.log().contains("start.sh: deploying " + truncated.toAbsolutePath() + " as it is"),
                    "a WAR that cannot be unpacked is given to Payara as it is: " + exiting.logTail());

            Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
            while (!staying.log().contains("Start-up FAILED: not deployed") && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
            }
            assertTrue(staying.log().contains("Staying up, as erpmax.startup.on-failure=stay asks"), staying.logTail());
            assertFalse(staying.waitForExit(Duration.ofSeconds(2)), "stay keeps the process\n" + staying.logTail());
            int live = staying.get("/health/live").status();
            assertTrue(live == 404 || live == 503, "nothing is served: " + live);
            assertEquals(0, database.queryLong("SELECT count(*) FROM pg_tables WHERE tablename = 'databasechangelog'"), "nothing migrated");
        }
    }

    @Test
    void aWarWhoseWebModuleFailsToStartEndsTheProcessWithCode3() throws Exception {
        // Without beans.xml Payara finds none of the WAR's beans, and Weld fails the web module
        // (WELD-001408, an unsatisfied dependency of a resource). Payara still counts the
        // application as deployed and would answer 500 on every path, for ever.
        Path war = Path.of("target", "erpmax.war");
        Path broken = Files.createDirectories(Path.of("target", "it-wars", "unsatisfied")).resolve("erpmax.war");
        try (ZipFile in = new ZipFile(war.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(broken))) {
            for (ZipEntry entry : in.stream().filter(e -> !e.getName().equals("WEB-INF/beans.xml")).toList()) {
                out.putNextEntry(new ZipEntry(entry.getName()));
                in.getInputStream(entry).transferTo(out);
                out.closeEntry();
            }
        }
        try (TestDatabase database = TestDatabase.create("unsatisfied");
             MicroInstance exiting = MicroInstance.start("unsatisfied-exit", Map.of("ERPMAX_DB_URL", database.url(),
                     "ERPMAX_WAR", broken.toAbsolutePath().toString()))) {

            assertTrue(exiting.waitForExit(Duration.ofSeconds(120)), "the process ends\n" + exiting.logTail());
            assertEquals(ExitCodes.STARTUP_FAILED, exiting.exitCode(), exiting.logTail());
            assertTrue(exiting.log().contains("WELD-001408"), "Weld's error is in the log: " + exiting.logTail());
            assertTrue(exiting.log().contains("Start-up FAILED: not deployed: "), exiting.logTail());
        }
    }
}
