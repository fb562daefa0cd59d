package com.erpmax.orchestrator.jobs.control;

import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.jobs.entity.JobStatus;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The workers' side of the {@code jobs} table: claim under a lease, keep the lease alive,
 * record the outcome. A lease that runs out means the worker died; the sweeper then gives the
 * job to another worker.
 */
@ApplicationScoped
public class JobQueue {

    private static final String CLAIM = """
            UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = now(), updated_at = now(),
                            lease_expires_at = now() + ? * interval '1 millisecond'
             WHERE id = ? AND status = 'queued' AND run_at <= now()
            RETURNING\s""" + JobRows.COLUMNS;
    private static final String CLAIM_DUE = """
            UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = now(), updated_at = now(),
                            lease_expires_at = now() + ? * interval '1 millisecond'
             WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= now()
                           ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
            RETURNING\s""" + JobRows.COLUMNS;
    /**
     * A join with the ids rather than {@code id = ANY (?)}: the planner then looks each id up by
     * primary key even when the table's statistics are stale (a large batch just inserted), where
     * the other form scanned the index entries of every unfinished job per batch.
     */
    private static final String CLAIM_MANY = """
            UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = now(), updated_at = now(),
                            lease_expires_at = now() + ? * interval '1 millisecond'
              FROM unnest(?::bigint[]) AS claimed (id)
             WHERE jobs.id = claimed.id AND jobs.status = 'queued' AND jobs.run_at <= now()
            RETURNING\s""" + JobRows.COLUMNS.replaceAll("(^|, )", "$1jobs.");
    /** Many outcomes, one statement: the write that bounds throughput when jobs are short. */
    private static final String SUCCEED_MANY = """
            UPDATE jobs j SET status = 'succeeded', result = o.result::jsonb, error = NULL, finished_at = now(), updated_at = now(),
                              lease_expires_at = NULL
              FROM unnest(?::bigint[], ?::text[]) AS o (id, result)
             WHERE j.id = o.id AND j.status = 'running'
            """;
    private static final String EXTEND = """
            UPDATE jobs SET lease_expires_at = now() + ? * interval '1 millisecond'
             WHERE id = ANY (?) AND status = 'running'
            """;
    /** A retryable failure with attempts left waits for its retry; otherwise the job is dead. */
    private static final String FAIL = """
            UPDATE jobs SET status = CASE WHEN ? AND attempts < max_attempts THEN 'failed' ELSE 'dead' END,
                            run_at = CASE WHEN ? AND attempts < max_attempts THEN now() + ? * interval '1 millisecond' ELSE run_at END,
                            error = ?, finished_at = now(), updated_at = now(), lease_expires_at = NULL
             WHERE id = ? AND status = 'running'
            RETURNING status
            """;
    /** Drain: jobs that did not finish in the grace period go back to the queue, their attempt not counted. */
    private static final String REQUEUE = """
            UPDATE jobs SET status = 'queued', attempts = greatest(attempts - 1, 0), lease_expires_at = NULL,
                            run_at = now(), updated_at = now()
             WHERE id = ANY (?) AND status = 'running'
            RETURNING id
            """;
    private static final String INSERT_OUTBOX = "INSERT INTO job_outbox (job_id) SELECT unnest(?::bigint[])";

    @Inject
    DataSource dataSource;

    /** Moves a queued, due job to running; empty when it is not (already claimed, finished, not due, unknown). */
    public Optional<Job> claim(long id, Duration lease) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            claim.setLong(1, lease.toMillis());
            claim.setLong(2, id);
            return JobRows.single(claim);
        }
    }

    /** Claims those of the given jobs that are queued and due, in one statement; the others are skipped. */
    public List<Job> claimAll(Collection<Long> ids, Duration lease) throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        try (Connection connection = dataSource.getConnection(); PreparedStatement claim = connection.prepareStatement(CLAIM_MANY)) {
            claim.setLong(1, lease.toMillis());
            claim.setArray(2, ids(connection, ids));
            return JobRows.all(claim);
        }
    }

    /** Claims up to {@code limit} due jobs, highest priority first; rows other workers are claiming are skipped, not waited for. */
    public List<Job> claimDue(int limit, Duration lease) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement claim = connection.prepareStatement(CLAIM_DUE)) {
            claim.setLong(1, lease.toMillis());
            claim.setInt(2, limit);
            return JobRows.all(claim);
        }
    }

    /** The heartbeat: one statement for every job this worker runs. */
    public void extendLeases(Collection<Long> ids, Duration lease) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection(); PreparedStatement extend = connection.prepareStatement(EXTEND)) {
            extend.setLong(1, lease.toMillis());
            extend.setArray(2, ids(connection, ids));
            extend.executeUpdate();
        }
    }

    /** Records successes: job id to its JSON result. */
    public void succeedAll(java.util.Map<Long, String> results) throws SQLException {
        if (results.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection(); PreparedStatement update = connection.prepareStatement(SUCCEED_MANY)) {
            update.setArray(1, ids(connection, results.keySet()));
            update.setArray(2, connection.createArrayOf("text", results.values().toArray()));
            update.executeUpdate();
        }
    }

    /**
     * Records a failed attempt.
     *
     * @return the job's new status: {@code failed} (a retry is scheduled after {@code backoff}) or {@code dead}
     */
    public Optional<JobStatus> fail(long id, String error, boolean retryable, Duration backoff) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement update = connection.prepareStatement(FAIL)) {
            update.setBoolean(1, retryable);
            update.setBoolean(2, retryable);
            update.setLong(3, backoff.toMillis());
            update.setString(4, error);
            update.setLong(5, id);
            try (ResultSet row = update.executeQuery()) {
                return row.next() ? Optional.of(JobStatus.of(row.getString(1))) : Optional.empty();
            }
        }
    }

    /** Gives unfinished jobs back to the queue (and to the broker, with {@code viaOutbox}). */
    public int requeue(Collection<Long> ids, boolean viaOutbox) throws SQLException {
        if (ids.isEmpty()) {
            return 0;
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement requeue = connection.prepareStatement(REQUEUE)) {
                requeue.setArray(1, ids(connection, ids));
                List<Long> requeued = new java.util.ArrayList<>();
                try (ResultSet rows = requeue.executeQuery()) {
                    while (rows.next()) {
                        requeued.add(rows.getLong(1));
                    }
                }
                if (viaOutbox && !requeued.isEmpty()) {
                    try (PreparedStatement outbox = connection.prepareStatement(INSERT_OUTBOX)) {
                        outbox.setArray(1, ids(connection, requeued));
                        outbox.executeUpdate();
                    }
                }
                connection.commit();
                return requeued.size();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private static Array ids(Connection connection, Collection<Long> ids) throws SQLException {
        return connection.createArrayOf("bigint", ids.toArray());
    }
}
