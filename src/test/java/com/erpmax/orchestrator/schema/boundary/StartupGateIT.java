package com.erpmax.orchestrator.schema.boundary;

import com.erpmax.orchestrator.launcher.UnusedCdiExtensions;
import com.erpmax.orchestrator.platform.control.ApplicationDatabase;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.testing.HttpReply;
import com.erpmax.orchestrator.testing.MicroInstance;
import com.erpmax.orchestrator.testing.TestBroker;
import com.erpmax.orchestrator.testing.TestDatabase;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One instance (role all, with RabbitMQ) started while another session holds the migration
 * lock and a dead process left Liquibase's lock row behind: the story of a deploy that waits,
 * told through what a load balancer and an operator see. The steps follow that story in order,
 * on one boot of Payara Micro.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StartupGateIT {

    private static TestDatabase database;
    private static TestBroker broker;
    private static Connection lockHolder;
    private static MicroInstance app;

    @BeforeAll
    static void startWhileLockIsHeld() throws Exception {
        database = TestDatabase.create("gate");
        broker = new TestBroker("gate");
        lockHolder = database.connect("erpmax-test-holder");
        try (Statement statement = lockHolder.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + Settings.DEFAULT_MIGRATION_LOCK_KEY + ")");
        }
        // What a Liquibase process killed mid-update leaves behind.
        database.execute("""
                CREATE TABLE databasechangeloglock (id integer PRIMARY KEY, locked boolean NOT NULL,
                                                    lockgranted timestamp, lockedby varchar(255));
                INSERT INTO databasechangeloglock VALUES (1, TRUE, now() - interval '3 hours', 'dead-host (10.9.9.9)');
                """);
        // A message waiting in the queue: nothing may consume it before the schema is ready.
        broker.publish("987654321");
        app = MicroInstance.start("gate", Map.of(
                "ERPMAX_DB_URL", database.url(),
                "ERPMAX_AMQP_URI", TestBroker.URI,
                "ERPMAX_AMQP_QUEUE", broker.queue()));
        app.awaitDeployed();
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (lockHolder != null) {
            lockHolder.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    @Order(1)
    void whileTheLockIsHeldTheInstanceIsAliveStartedButNotReadyAndSaysWhoHoldsIt() throws Exception {
        HttpReply ready = app.await("/health/ready", reply -> reply.body().contains("lockHolder"), Duration.ofSeconds(30));
        assertEquals(503, ready.status(), ready.toString());
        JsonObject data = ready.json().getJsonArray("checks").getJsonObject(0).getJsonObject("data");
        assertEquals("WAITING_FOR_LOCK", data.getString("phase"));
        assertTrue(data.getString("lockHolder").contains("erpmax-test-holder"), data.toString());

        assertEquals(200, app.get("/health/live").status());
        assertEquals(200, app.get("/health/started").status());
    }

    @Test
    @Order(2)
    void whileTheLockIsHeldTheApiAnswers503ProblemWithRetryAfter() throws Exception {
        for (HttpReply reply : new HttpReply[]{app.get("/api/jobs/1"), app.get("/api/no-such-path"),
                app.postJson("/api/jobs", "{\"type\":\"echo\"}")}) {
            assertEquals(503, reply.status(), reply.toString());
            assertEquals("application/problem+json", reply.contentType());
            assertEquals("5", reply.header("Retry-After").orElse(""));
            assertEquals("WAITING_FOR_LOCK", reply.json().getString("phase"));
        }
    }

    @Test
    @Order(3)
    void nothingIsConsumedBeforeReady() throws Exception {
        assertEquals(1, broker.messageCount(), "the queued message must wait for READY");
        assertEquals(0, database.queryLong("SELECT count(*) FROM pg_tables WHERE tablename = 'jobs'"));
    }

    @Test
    @Order(4)
    void releasingTheLockMakesTheInstanceReadyWithinTwoSeconds() throws Exception {
        long released = System.nanoTime();
        lockHolder.close();
        app.awaitReady(Duration.ofSeconds(2));
        long millis = (System.nanoTime() - released) / 1_000_000;
        System.out.println("lock release -> READY: " + millis + " ms");
    }

    @Test
    @Order(5)
    void theStaleLiquibaseLockWasReleasedWithAWarningNamingItsOwner() throws Exception {
        assertEquals(0, database.queryLong("SELECT count(*) FROM databasechangeloglock WHERE locked"));
        assertTrue(database.queryLong("SELECT count(*) FROM databasechangelog") >= 2, "migrations ran");
        assertTrue(app.log().contains("Released a stale Liquibase lock left by dead-host (10.9.9.9)"), app.logTail());
    }

    @Test
    @Order(6)
    void theWaitingMessageIsConsumedAfterReady() throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (broker.messageCount() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, broker.messageCount());
    }

    @Test
    @Order(7)
    void anEchoJobSucceedsThroughRabbitMq() throws Exception {
        HttpReply created = app.postJson("/api/jobs", "{\"type\":\"echo\",\"payload\":{\"order\":42,\"lines\":[\"a\",\"b\"]}}");
        assertEquals(201, created.status(), created.toString());
        String location = created.header("Location").orElseThrow();
        long id = created.json().getJsonNumber("id").longValue();
        assertTrue(location.endsWith("/api/jobs/" + id), location);
        assertEquals("queued", created.json().getString("status"));

        HttpReply done = app.await("/api/jobs/" + id, reply -> reply.body().contains("\"succeeded\""), Duration.ofSeconds(15));
        JsonObject job = done.json();
        assertEquals(42, job.getJsonObject("result").getInt("order"));
        assertEquals(1, job.getInt("attempts"));
        assertEquals(0, database.queryLong("SELECT count(*) FROM job_outbox"), "the outbox row goes once confirmed");
    }

    @Test
    @Order(8)
    void badInputGetsAClearProblemAndNoStackTrace() throws Exception {
        assertProblem(app.postJson("/api/jobs", "{\"type\": \"echo\", "), 400, "malformed-json");
        assertProblem(app.postJson("/api/jobs", "[1, 2]"), 400, "invalid-request");
        assertProblem(app.postJson("/api/jobs", "{\"payload\": {}}"), 400, "invalid-request");
        assertProblem(app.postJson("/api/jobs", "{\"type\": \"echo\", \"payload\": 7}"), 400, "invalid-request");
        assertProblem(app.postJson("/api/jobs", "{\"type\": \"no.such.type\"}"), 422, "unknown-job-type");
        assertProblem(app.postJson("/api/jobs", "{\"type\":\"echo\",\"payload\":{\"x\":\"" + "a".repeat(1_100_000) + "\"}}"),
                413, "payload-too-large");
        assertProblem(app.get("/api/jobs/999999999"), 404, "not-found");
        assertProblem(app.get("/api/jobs/not-a-number"), 404, "not-found");
        assertProblem(app.get("/api/application.wadl"), 404, "not-found"); // Jersey's WADL is off: the API is described at /openapi
        assertProblem(app.send(HttpRequest.newBuilder(app.uri("/api/jobs")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("echo"))), 415, "unsupported-media-type");
        assertFalse(database.queryLong("SELECT count(*) FROM jobs WHERE type <> 'echo'") > 0, "nothing bad was stored");
    }

    @Test
    @Order(9)
    void thePoolConnectsWithTheDefaultUserAndNoPasswordAndTheBootLogsNoConfigurationOrDriverWarning() throws Exception {
        // No ERPMAX_DB_PASSWORD here (trust authentication), and no ERPMAX_DB_USER when the test
        // database's user is the default one (MicroInstance).
        assertTrue(database.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + ApplicationDatabase.POOL_NAME + "'"
                + " AND datname = current_database() AND usename = '" + TestDatabase.USER + "'") > 0, "the pool's connections");
        assertFalse(app.log().contains("MicroProfile Config: property"), app.logTail());
        assertFalse(app.log().contains("registered the JDBC driver"), "no driver-leak warning at boot: " + app.logTail());
    }

    @Test
    @Order(10)
    void itsMicroRuntimeHasTheUnusedCdiExtensionsSwitchedOff() throws Exception {
        Set<String> unused = UnusedCdiExtensions.readList(Path.of("payara/unused-cdi-extensions.txt"));
        String prepared = Files.readString(app.rootDirectory().resolve("prepare.log"));
        Set<String> registered = new TreeSet<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(app.rootDirectory().resolve("runtime"), "*.jar")) {
            for (Path jar : jars) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    registered.addAll(UnusedCdiExtensions.registrations(zip));
                }
            }
        }

        assertTrue(prepared.contains("switched off " + unused.size() + " of " + unused.size() + " listed"),
                "every listed extension exists in this Micro version and was switched off: " + prepared);
        assertFalse(prepared.contains(UnusedCdiExtensions.NOT_SWITCHED_OFF), prepared);
        assertEquals(Set.of(), registered.stream().filter(unused::contains).collect(Collectors.toSet()));
        assertTrue(registered.containsAll(Set.of("org.glassfish.soteria.cdi.CdiExtension",
                "org.glassfish.jersey.ext.cdi1x.internal.CdiComponentProvider")), "the ones it needs stay: " + registered);
    }

    @Test
    @Order(11)
    void itDeployedTheWarUnpackedOnceIntoItsRootDirectory() throws Exception {
        Process cksum = new ProcessBuilder("cksum").redirectInput(Path.of("target/erpmax.war").toFile()).start();
        String checksum = new String(cksum.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().replace(' ', '-');
        Path unpacked = app.rootDirectory().resolve("war/" + checksum + "/erpmax");

        assertTrue(Files.isRegularFile(unpacked.resolve("WEB-INF/glassfish-web.xml")), "the copy is named after this WAR's checksum");
        try (var copies = Files.list(app.rootDirectory().resolve("war"))) {
            assertEquals(List.of(unpacked.getParent()), copies.toList(), "only this WAR's copy is kept");
        }
        // Given the WAR file, Payara would have unpacked it into applications/erpmax; it deployed the copy.
        assertFalse(Files.exists(app.rootDirectory().resolve("applications/erpmax")), "Payara unpacked nothing itself");
    }

    private static void assertProblem(HttpReply reply, int status, String code) {
        assertEquals(status, reply.status(), reply.toString());
        assertEquals("application/problem+json", reply.contentType(), reply.toString());
        assertEquals(code, reply.json().getString("code"), reply.toString());
        assertEquals(status, reply.json().getInt("status"));
        assertFalse(reply.body().contains("\tat ") || reply.body().contains("Exception"), "no stack trace: " + reply.body());
    }
}
