package com.erpmax.orchestrator.jobs.boundary;

import com.erpmax.orchestrator.platform.control.ApplicationDatabase;
import com.erpmax.orchestrator.testing.HttpReply;
import com.erpmax.orchestrator.testing.MicroInstance;
import com.erpmax.orchestrator.testing.StubErp;
import com.erpmax.orchestrator.testing.TcpProxy;
import com.erpmax.orchestrator.testing.TestBroker;
import com.erpmax.orchestrator.testing.TestDatabase;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jobs API and delivery through RabbitMQ, on one instance (role all) whose broker
 * connection runs through a proxy that the tests can cut, and whose ERP endpoints are stubs.
 * Each test uses its own jobs, so the tests do not depend on each other's order.
 */
class JobsIT {

    private static TestDatabase database;
    private static TestBroker broker;
    private static TcpProxy brokerLink;
    private static StubErp erp;
    private static StubErp elsewhere;
    private static MicroInstance app;

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.create("jobs");
        broker = new TestBroker("jobs");
        brokerLink = new TcpProxy(5672);
        erp = new StubErp();
        elsewhere = new StubErp();
        Map<String, String> env = new HashMap<>(Map.of(
                "ERPMAX_DB_URL", database.url(),
                "ERPMAX_AMQP_URI", "amqp://guest:guest@127.0.0.1:" + brokerLink.port() + "/%2F",
                "ERPMAX_AMQP_QUEUE", broker.queue(),
                "ERPMAX_RETRY_BASE_DELAY", "100ms",
                "ERPMAX_RETRY_MAX_DELAY", "400ms",
                "ERPMAX_SWEEPER_INTERVAL", "300ms"));
        for (String endpoint : List.of("flaky", "down", "missing", "busy", "slow", "erp")) {
            env.put("ERPMAX_ENDPOINTS_" + endpoint.toUpperCase() + "_URL", erp.url("/" + endpoint));
        }
        env.put("ERPMAX_ENDPOINTS_UNREACHABLE_URL", "http://127.0.0.1:1/nothing");
        env.put("ERPMAX_ENDPOINTS_ERP_AUTH_HEADER", "Bearer test-token");
        app = MicroInstance.start("jobs", env);
        app.awaitReady(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[]{erp, elsewhere, brokerLink, broker, database}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    private static HttpReply submit(String json, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(app.uri("/api/jobs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return app.send(request);
    }

    private static long id(HttpReply reply) {
        return reply.json().getJsonNumber("id").longValue();
    }

    private static JsonObject awaitStatus(long id, String status) throws Exception {
        return app.await("/api/jobs/" + id, reply -> reply.body().contains("\"status\":\"" + status + "\""), Duration.ofSeconds(20)).json();
    }

    @Test
    void theSameIdempotencyKeyGivesTheSameJobAndAnotherBodyUnderItIsAConflict() throws Exception {
        String body = "{\"type\":\"echo\",\"payload\":{\"order\":1001}}";
        HttpReply first = submit(body, "order-1001");
        HttpReply again = submit(body, "order-1001");
        assertEquals(201, first.status(), first.toString());
        assertEquals(200, again.status(), again.toString());
        assertEquals(id(first), id(again));
        HttpReply conflict = submit("{\"type\":\"echo\",\"payload\":{\"order\":1002}}", "order-1001");
        assertEquals(409, conflict.status(), conflict.toString());
        assertEquals("conflict", conflict.json().getString("code"));
    }

    @Test
    void concurrentSubmissionsWithOneKeyCreateOneJob() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Callable<HttpReply>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                calls.add(() -> submit("{\"type\":\"echo\",\"payload\":{\"order\":2002}}", "order-2002"));
            }
            Set<Long> ids = new HashSet<>();
            int created = 0;
            for (Future<HttpReply> reply : clients.invokeAll(calls)) {
                HttpReply answer = reply.get();
                assertTrue(answer.status() == 201 || answer.status() == 200, answer.toString());
                created += answer.status() == 201 ? 1 : 0;
                ids.add(id(answer));
            }
            assertEquals(1, created);
            assertEquals(1, ids.size());
            assertEquals(1, database.queryLong("SELECT count(*) FROM jobs WHERE idempotency_key = 'order-2002'"));
        } finally {
            clients.shutdown();
        }
    }

    @Test
    void badFieldsAreNamed() throws Exception {
        assertBadRequest(submit("{\"type\":\"echo\",\"priority\":\"high\"}", null), "'priority'");
        assertBadRequest(submit("{\"type\":\"echo\",\"maxAttempts\":0}", null), "'maxAttempts'");
        assertBadRequest(submit("{\"type\":\"echo\",\"runAt\":\"tomorrow\"}", null), "'runAt'");
        assertBadRequest(submit("{\"type\":\"echo\",\"maxAttempt\":3}", null), "'maxAttempt'");
        assertBadRequest(submit("{\"type\":\"echo\"}", " "), "'Idempotency-Key'");
        assertBadRequest(app.get("/api/jobs?limit=0"), "'limit'");
        assertBadRequest(app.get("/api/jobs?status=finished"), "'status'");
    }

    private static void assertBadRequest(HttpReply reply, String field) {
        assertEquals(400, reply.status(), reply.toString());
        assertEquals("application/problem+json", reply.contentType());
        assertTrue(reply.json().getString("detail").contains(field), reply.toString());
    }

    @Test
    void aHandlerThatFailsTwiceThenSucceedsEndsSucceededOnItsThirdAttempt() throws Exception {
        erp.script("/flaky", 500, 503, 200);
        long id = id(submit("{\"type\":\"http.call\",\"payload\":{\"endpoint\":\"flaky\",\"body\":{\"po\":7}}}", null));
        JsonObject job = awaitStatus(id, "succeeded");
        assertEquals(3, job.getInt("attempts"));
        assertEquals(200, job.getJsonObject("result").getInt("status"));
        assertEquals(3, erp.hits("/flaky"));
    }

    @Test
    void exhaustedAttemptsMakeAJobDeadWithItsLastError() throws Exception {
        erp.script("/down", 502);
        long id = id(submit("{\"type\":\"http.call\",\"maxAttempts\":3,\"payload\":{\"endpoint\":\"down\"}}", null));
        JsonObject job = awaitStatus(id, "dead");
        assertEquals(3, job.getInt("attempts"));
        assertTrue(job.getString("error").contains("answered 502"), job.toString());
    }

    @Test
    void statusClassesMapToSuccessRetryOrDead() throws Exception {
        erp.script("/missing", 404);
        erp.script("/busy", 429, 408, 200);
        long missing = id(submit("{\"type\":\"http.call\",\"payload\":{\"endpoint\":\"missing\"}}", null));
        long busy = id(submit("{\"type\":\"http.call\",\"payload\":{\"endpoint\":\"busy\"}}", null));
        long unreachable = id(submit("{\"type\":\"http.call\",\"maxAttempts\":2,\"payload\":{\"endpoint\":\"unreachable\"}}", null));
        long unknown = id(submit("{\"type\":\"http.call\",\"payload\":{\"endpoint\":\"nowhere\"}}", null));

        assertEquals(1, awaitStatus(missing, "dead").getInt("attempts"), "a 4xx is final");
        assertEquals(3, awaitStatus(busy, "succeeded").getInt("attempts"), "429 and 408 are retried");
        JsonObject down = awaitStatus(unreachable, "dead");
        assertEquals(2, down.getInt("attempts"), "connection errors are retried");
        assertTrue(down.getString("error").contains("unreachable"), down.toString());
        assertTrue(awaitStatus(unknown, "dead").getString("error").contains("no endpoint 'nowhere'"));
    }

    @Test
    void aUrlInThePayloadIsIgnoredAndTheConfiguredAuthHeaderSent() throws Exception {
        String sneaky = elsewhere.url("/internal-admin");
        long id = id(submit("{\"type\":\"http.call\",\"payload\":{\"endpoint\":\"erp\",\"url\":\"" + sneaky
                + "\",\"body\":{\"url\":\"" + sneaky + "\"}}}", null));
        awaitStatus(id, "succeeded");
        assertEquals(0, elsewhere.totalHits(), "never calls a URL from the payload");
        assertTrue(erp.requests().stream().anyMatch(request -> request.startsWith("/erp Bearer test-token")), erp.requests().toString());
    }

    @Test
    void cancelAndRetryFollowTheirRules() throws Exception {
        String later = Instant.now().plusSeconds(3600).toString();
        long waiting = id(submit("{\"type\":\"echo\",\"runAt\":\"" + later + "\"}", null));
        HttpReply cancelled = app.postJson("/api/jobs/" + waiting + "/cancel", "");
        assertEquals(200, cancelled.status(), cancelled.toString());
        assertEquals("cancelled", cancelled.json().getString("status"));
        assertEquals(409, app.postJson("/api/jobs/" + waiting + "/cancel", "").status(), "cancelled once");

        HttpReply retried = app.postJson("/api/jobs/" + waiting + "/retry", "");
        assertEquals(200, retried.status(), retried.toString());
        awaitStatus(waiting, "succeeded");
        assertEquals(409, app.postJson("/api/jobs/" + waiting + "/retry", "").status(), "a succeeded job is not retried");
        assertEquals(409, app.postJson("/api/jobs/" + waiting + "/cancel", "").status(), "a succeeded job is not cancelled");
        assertEquals(404, app.postJson("/api/jobs/987654321/cancel", "").status());
    }

    @Test
    void aJobDueLaterRunsWhenDue() throws Exception {
        long id = id(submit("{\"type\":\"echo\",\"runAt\":\"" + Instant.now().plusSeconds(2) + "\"}", null));
        Thread.sleep(1_000);
        assertEquals("queued", app.get("/api/jobs/" + id).json().getString("status"));
        awaitStatus(id, "succeeded");
    }

    @Test
    void listingIsNewestFirstWithKeysetPages() throws Exception {
        String type = "echo";
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(id(submit("{\"type\":\"" + type + "\",\"payload\":{\"page\":" + i + "}}", "page-" + i + "-" + System.nanoTime())));
        }
        HttpReply first = app.get("/api/jobs?type=echo&limit=2");
        assertEquals(200, first.status(), first.toString());
        var jobs = first.json().getJsonArray("jobs");
        assertEquals(2, jobs.size());
        long newest = jobs.getJsonObject(0).getJsonNumber("id").longValue();
        assertTrue(newest >= ids.get(4));
        assertTrue(jobs.getJsonObject(1).getJsonNumber("id").longValue() < newest);
        String next = first.json().getString("next");
        assertNotNull(next);
        HttpReply second = app.send(HttpRequest.newBuilder(URI.create(next)).GET());
        assertEquals(2, second.json().getJsonArray("jobs").size());
        assertTrue(second.json().getJsonArray("jobs").getJsonObject(0).getJsonNumber("id").longValue()
                < jobs.getJsonObject(1).getJsonNumber("id").longValue());
        HttpReply dead = app.get("/api/jobs?status=dead&limit=500");
        dead.json().getJsonArray("jobs").forEach(job -> assertEquals("dead", job.asJsonObject().getString("status")));
    }

    @Test
    void aDuplicateDeliveryDoesNotRunTheJobTwice() throws Exception {
        long id = id(submit("{\"type\":\"http.call\",\"payload\":{\"endpoint\":\"slow\"}}", null));
        awaitStatus(id, "succeeded");
        int hits = erp.hits("/slow");
        broker.publish(Long.toString(id));
        broker.publish(Long.toString(id));
        long deadline = System.currentTimeMillis() + 10_000;
        while (broker.messageCount() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(500);
        assertEquals(0, broker.messageCount(), "the duplicates were consumed");
        assertEquals(hits, erp.hits("/slow"), "and dropped without running the job again");
        assertEquals(1, app.get("/api/jobs/" + id).json().getInt("attempts"));
    }

    @Test
    void jobsSubmittedWhileTheBrokerIsDownAreAcceptedAndDeliveredWhenItIsBack() throws Exception {
        brokerLink.cut();
        List<Long> ids = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                HttpReply reply = submit("{\"type\":\"echo\",\"payload\":{\"outage\":" + i + "}}", null);
                assertEquals(201, reply.status(), "accepted while the broker is down: " + reply);
                ids.add(id(reply));
            }
            Thread.sleep(1_500);
            assertEquals(20, database.queryLong("SELECT count(*) FROM jobs WHERE status = 'queued' AND payload ? 'outage'"),
                    "nothing ran, nothing was lost");
        } finally {
            brokerLink.resume();
        }
        for (long id : ids) {
            app.await("/api/jobs/" + id, reply -> reply.body().contains("\"succeeded\""), Duration.ofSeconds(60));
        }
        assertEquals(0, database.queryLong("SELECT count(*) FROM job_outbox o JOIN jobs j ON j.id = o.job_id WHERE j.payload ? 'outage'"));
    }

    @Test
    void afterTheDatabaseDroppedEveryPooledConnectionRequestsSucceedAgain() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals(201, submit("{\"type\":\"echo\",\"payload\":{\"before\":" + i + "}}", null).status());
        }
        // What a PostgreSQL restart or fail-over leaves in the pool: every connection dead.
        long killed = database.queryLong("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name = '" + ApplicationDatabase.POOL_NAME + "'");
        assertTrue(killed > 0, "the pool had connections to kill");
        Thread.sleep(1_100); // a connection used in the last half second is handed out unchecked
        for (int i = 0; i < 10; i++) {
            HttpReply reply = submit("{\"type\":\"echo\",\"payload\":{\"after\":" + i + "}}", null);
            assertEquals(201, reply.status(), "after the pool's connections died: " + reply);
            awaitStatus(id(reply), "succeeded");
        }
        HttpReply ready = app.get("/health/ready");
        assertEquals(200, ready.status(), ready.toString());
    }

    @Test
    void metricsCountJobsByTypeInPrometheusText() throws Exception {
        long id = id(submit("{\"type\":\"echo\",\"payload\":{\"metrics\":true}}", null));
        awaitStatus(id, "succeeded");
        HttpReply metrics = app.send(HttpRequest.newBuilder(app.uri("/metrics?scope=application")).header("Accept", "text/plain").GET());
        assertEquals(200, metrics.status(), metrics.toString());
        for (String series : List.of("erpmax_jobs_submitted_total{", "erpmax_jobs_succeeded_total{", "type=\"echo\"",
                "erpmax_jobs_handler_duration_seconds", "erpmax_jobs_queue_depth", "erpmax_jobs_outbox_lag_seconds")) {
            assertTrue(metrics.body().contains(series), series + " in\n" + metrics.body());
        }
    }

    @Test
    void theApiIsDescribedByOpenApi() throws Exception {
        HttpReply openapi = app.get("/openapi");
        assertEquals(200, openapi.status(), openapi.toString());
        assertTrue(openapi.body().contains("/api/jobs/{id}/cancel"), openapi.body());
    }
}
