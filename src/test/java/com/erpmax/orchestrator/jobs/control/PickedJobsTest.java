package com.erpmax.orchestrator.jobs.control;

import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.jobs.entity.JobStatus;
import com.erpmax.orchestrator.schema.control.Migrations;
import com.erpmax.orchestrator.testing.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Picking jobs for one transaction, on real PostgreSQL with the real schema: what other workers
 * see meanwhile, the single write that settles a batch, and what a worker that dies mid-batch
 * leaves behind.
 */
class PickedJobsTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    private static TestDatabase database;
    private final JobQueue queue = new JobQueue();

    @BeforeAll
    static void migrate() throws Exception {
        database = TestDatabase.create("picked");
        try (Connection connection = database.connect("erpmax-test")) {
            new Migrations(PickedJobsTest.class.getClassLoader()).update(connection, null, Duration.ofSeconds(5), 3, (d, a, c, t) -> { });
        }
    }

    @AfterAll
    static void drop() throws SQLException {
        if (database != null) {
            database.close();
        }
    }

    @BeforeEach
    void emptyQueue() throws SQLException {
        database.execute("TRUNCATE jobs, job_outbox RESTART IDENTITY CASCADE");
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(database.url());
        dataSource.setUser(TestDatabase.USER);
        queue.dataSource = dataSource;
    }

    @Test
    void otherWorkersSkipPickedJobsAndOneStatementSettlesTheBatch() throws Exception {
        database.execute("INSERT INTO jobs (type, payload, priority) VALUES ('echo', '{\"n\":1}', 5), ('sleep', '{}', 5), ('echo', '{}', 0)");
        try (PickedJobs first = queue.pickDue(2)) {
            assertEquals(List.of(1L, 2L), ids(first.jobs()), "highest priority first");
            assertTrue(first.jobs().stream().allMatch(job -> job.status() == JobStatus.QUEUED && job.attempts() == 0));
            try (PickedJobs second = queue.pickDue(10)) {
                assertEquals(List.of(3L), ids(second.jobs()), "another worker skips the picked rows instead of waiting");
            }

            List<Job> leased = first.settle(Map.of(), Map.of(1L, "{\"n\":1}"), List.of(2L), LEASE);
            assertEquals(List.of(2L), ids(leased));
            assertEquals(JobStatus.RUNNING, leased.get(0).status());
            assertEquals(1, leased.get(0).attempts());
            first.commit();
        }
        assertEquals("succeeded|1|{\"n\": 1}|t", row(1, "status, attempts, result, started_at IS NOT NULL AND finished_at IS NOT NULL"));
        assertEquals("running|1|t", row(2, "status, attempts, lease_expires_at > now()"));
        assertEquals("queued|0", row(3, "status, attempts"), "the job the other worker let go is untouched");

        try (PickedJobs next = queue.pickDue(10)) {
            assertEquals(List.of(3L), ids(next.jobs()));
            next.settle(Map.of(2L, "{}"), Map.of(3L, "{}"), List.of(), LEASE);
            next.commit();
        }
        assertEquals("succeeded|1", row(2, "status, attempts"), "an earlier batch's leased success goes with the next batch");
        assertEquals("succeeded|1", row(3, "status, attempts"));
    }

    @Test
    void aWorkerThatDiesMidBatchLeavesItsPickedJobsQueuedAsTheyWere() throws Exception {
        database.execute("INSERT INTO jobs (type, payload) SELECT 'echo', '{}' FROM generate_series(1, 3)");
        PickedJobs dying = queue.pickDue(10);
        assertEquals(3, dying.jobs().size());
        // What SIGKILL or a lost host does to the worker's session.
        assertEquals(1, database.queryLong("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND state = 'idle in transaction'"));
        try {
            dying.close();
        } catch (SQLException expected) {
            // Its connection is gone: nothing to roll back on this side.
        }
        try (PickedJobs survivor = queue.pickDue(10)) {
            assertEquals(List.of(1L, 2L, 3L), ids(survivor.jobs()), "picked again at once, no lease to wait for");
            assertTrue(survivor.jobs().stream().allMatch(job -> job.attempts() == 0), "the lost attempt is not counted");
        }
    }

    @Test
    void aFailedAttemptInThePickingTransactionIsCountedThenRetriedOrDead() throws Exception {
        database.execute("INSERT INTO jobs (type, payload, max_attempts) VALUES ('echo', '{}', 2), ('echo', '{}', 1)");
        try (PickedJobs picked = queue.pickDue(10)) {
            assertEquals(JobStatus.FAILED, picked.fail(1, "boom", true, Duration.ofMinutes(1)));
            assertEquals(JobStatus.DEAD, picked.fail(2, "boom", true, Duration.ofMinutes(1)), "its only attempt is used up");
            picked.commit();
        }
        assertEquals("failed|1|boom|t", row(1, "status, attempts, error, run_at > now() + interval '50 seconds'"));
        assertEquals("dead|1|boom", row(2, "status, attempts, error"));
    }

    @Test
    void closingWithoutCommitGivesThePickedJobsBack() throws Exception {
        database.execute("INSERT INTO jobs (type, payload) VALUES ('echo', '{}')");
        try (PickedJobs picked = queue.pickDue(10)) {
            picked.settle(Map.of(), Map.of(1L, "{}"), List.of(), LEASE);
        }
        assertEquals("queued|0", row(1, "status, attempts"), "settled but not committed: nothing happened");
    }

    private static List<Long> ids(List<Job> jobs) {
        return jobs.stream().map(Job::id).toList();
    }

    private static String row(long id, String columns) throws SQLException {
        try (Connection connection = database.connect("erpmax-test"); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT concat_ws('|', " + columns + ") FROM jobs WHERE id = " + id)) {
            assertTrue(row.next(), "job " + id);
            String value = row.getString(1);
            assertNotNull(value);
            return value;
        }
    }
}
