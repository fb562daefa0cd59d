package com.erpmax.orchestrator.jobs.control;

import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.jobs.entity.JobStatus;
import com.erpmax.orchestrator.platform.control.Transaction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The workers' side of the {@code jobs} table: claim under a lease, keep the lease alive,
 * record the outcome. A lease that runs out means the worker died; the sweeper then gives the
 * job to another worker. Workers without a broker pick due jobs for one transaction instead
 * ({@link #pickDue}, {@link PickedJobs}) and lease only those that run after it.
 */
@ApplicationScoped
public class JobQueue {

    private static final String CLAIM = """
            UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = now(), updated_at = now(),
                            lease_expires_at = now() + ? * interval '1 millisecond'
             WHERE id = ? AND status = 'queued' AND run_at <= now()
            RETURNING\s""" + JobRows.COLUMNS;
    /**
     * Claims the given jobs that are queued and due (parameters: the lease, the ids). A join with
     * the ids rather than {@code id = ANY (?)}, and the status and due-time test wrapped in
     * {@code IS TRUE} (see {@link #succeedMany}), so that the planner looks each id up by primary
     * key whatever the statistics. Without the wrapper it read the partial indexes of every
     * queued, due job and hash-joined the ids: 22 ms per batch of 64 at 100,000 queued (1 ms with
     * it), which made PostgreSQL's CPU, not the broker, the bound of the RabbitMQ path.
     */
    static final String CLAIM_BY_IDS = """
            UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = now(), updated_at = now(),
                            lease_expires_at = now() + ? * interval '1 millisecond'
              FROM unnest(?::bigint[]) AS claimed (id)
             WHERE jobs.id = claimed.id AND (jobs.status = 'queued' AND jobs.run_at <= now()) IS TRUE
            RETURNING\s""" + JobRows.COLUMNS.replaceAll("(^|, )", "$1jobs.");
    /** The previous batch's successes ride along with the claim. */
    private static final String SUCCEED_THEN_CLAIM_MANY = "WITH succeeded AS (" + succeedMany(false) + ") " + CLAIM_BY_IDS;
    /** Many outcomes, one statement: the write that bounds throughput when jobs are short. */
    private static final String SUCCEED_MANY = succeedMany(false);

    /**
     * Many successes (parameters: the ids, their JSON results). {@code picked}: the jobs are still
     * queued and this attempt not yet counted (they ran in the transaction that picked them, see
     * {@link PickedJobs}); else they are running under a lease.
     *
     * <p>{@code (status = 'running') IS TRUE} rather than {@code status = 'running'}: no index can
     * serve it, so the planner looks each id up by primary key. With the plain form, on a table
     * without fresh statistics, it intersected the bitmaps of every unfinished job's index entries
     * with the running ones and hash-joined the ids: work that grew with the backlog, per batch.
     */
    static String succeedMany(boolean picked) {
        return "UPDATE jobs j SET status = 'succeeded', result = o.result::jsonb, error = NULL, finished_at = now(), updated_at = now(),\n"
                + "  lease_expires_at = NULL" + (picked ? ", attempts = j.attempts + 1, started_at = now()" : "") + "\n"
                + "  FROM unnest(?::bigint[], ?::text[]) AS o (id, result)\n"
                + " WHERE j.id = o.id AND (j.status = " + (picked ? "'queued'" : "'running'") + ") IS TRUE";
    }

    /**
     * The claim in priority order must read the claim-order index in order and stop after the
     * batch. Without statistics (a queue table just filled) the planner instead reads every queued
     * row and sorts them, per batch (6 ms at 20,000 queued, 0.1 ms in index order). For this
     * statement's transaction only, a sort is made the last resort.
     */
    private static final String CLAIM_IN_INDEX_ORDER = "SET LOCAL enable_sort = off";
    /** Reads and locks, writes nothing: see {@link PickedJobs}. */
    private static final String PICK_DUE = "SELECT " + JobRows.COLUMNS + """
             FROM jobs WHERE status = 'queued' AND run_at <= now()
            ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED""";
    /** By primary key whatever the statistics: see {@link #succeedMany}. */
    private static final String EXTEND = """
            UPDATE jobs SET lease_expires_at = now() + ? * interval '1 millisecond'
             WHERE id = ANY (?) AND (status = 'running') IS TRUE
            """;
    private static final String FAIL = failStatement(false);
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
        return claimAll(ids, lease, Map.of());
    }

    /**
     * Records {@code succeeded} (job id to JSON result, from the previous batch) and claims those of
     * the given jobs that are queued and due, in one statement and one transaction: both or neither.
     */
    public List<Job> claimAll(Collection<Long> ids, Duration lease, Map<Long, String> succeeded) throws SQLException {
        if (ids.isEmpty()) {
            succeedAll(succeeded);
            return List.of();
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement claim = connection.prepareStatement(SUCCEED_THEN_CLAIM_MANY)) {
            int next = bindOutcomes(connection, claim, 1, succeeded);
            claim.setLong(next, lease.toMillis());
            claim.setArray(next + 1, ids(connection, ids));
            return JobRows.all(claim);
        }
    }

    /**
     * Picks up to {@code limit} due jobs, highest priority first, for a transaction that the caller
     * settles, commits and closes; rows other workers hold are skipped, not waited for.
     */
    public PickedJobs pickDue(int limit) throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(false);
            try (Statement plan = connection.createStatement(); PreparedStatement pick = connection.prepareStatement(PICK_DUE)) {
                plan.execute(CLAIM_IN_INDEX_ORDER);
                pick.setInt(1, limit);
                return new PickedJobs(connection, JobRows.all(pick));
            }
        } catch (SQLException | RuntimeException e) {
            try {
                PickedJobs.end(connection, false);
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Binds successes (job id to JSON result) as an array of ids and one of results, to parameters
     * {@code first} and {@code first + 1}; returns the next parameter's index.
     */
    static int bindOutcomes(Connection connection, PreparedStatement statement, int first, Map<Long, String> succeeded)
            throws SQLException {
        statement.setArray(first, ids(connection, succeeded.keySet()));
        statement.setArray(first + 1, connection.createArrayOf("text", succeeded.values().toArray()));
        return first + 2;
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
    public void succeedAll(Map<Long, String> results) throws SQLException {
        if (results.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection(); PreparedStatement update = connection.prepareStatement(SUCCEED_MANY)) {
            bindOutcomes(connection, update, 1, results);
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
            bindFailure(update, id, error, retryable, backoff);
            try (ResultSet row = update.executeQuery()) {
                return row.next() ? Optional.of(JobStatus.of(row.getString(1))) : Optional.empty();
            }
        }
    }

    /**
     * A failed attempt: a retryable failure with attempts left waits for its retry; otherwise the
     * job is dead. {@code picked}: the job is still queued and this attempt not yet counted (it ran
     * in the transaction that picked it, see {@link PickedJobs}); else it is running under a lease.
     */
    static String failStatement(boolean picked) {
        String attempts = picked ? "attempts + 1" : "attempts";
        return "UPDATE jobs SET status = CASE WHEN ? AND " + attempts + " < max_attempts THEN 'failed' ELSE 'dead' END,\n"
                + "  run_at = CASE WHEN ? AND " + attempts + " < max_attempts THEN now() + ? * interval '1 millisecond' ELSE run_at END,\n"
                + "  attempts = " + attempts + (picked ? ", started_at = now()" : "")
                + ", error = ?, finished_at = now(), updated_at = now(), lease_expires_at = NULL\n"
                + " WHERE id = ? AND status = " + (picked ? "'queued'" : "'running'") + "\nRETURNING status";
    }

    static void bindFailure(PreparedStatement fail, long id, String error, boolean retryable, Duration backoff) throws SQLException {
        fail.setBoolean(1, retryable);
        fail.setBoolean(2, retryable);
        fail.setLong(3, backoff.toMillis());
        fail.setString(4, error);
        fail.setLong(5, id);
    }

    /** Gives unfinished jobs back to the queue (and to the broker, with {@code viaOutbox}). */
    public int requeue(Collection<Long> ids, boolean viaOutbox) throws SQLException {
        if (ids.isEmpty()) {
            return 0;
        }
        return Transaction.run(dataSource, connection -> {
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
                return requeued.size();
            }
        });
    }

    static Array ids(Connection connection, Collection<Long> ids) throws SQLException {
        return connection.createArrayOf("bigint", ids.toArray());
    }
}
