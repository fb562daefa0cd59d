package com.erpmax.orchestrator.jobs.control;

import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.jobs.entity.JobStatus;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Due jobs picked from the queue for one transaction, under row locks ({@code FOR UPDATE SKIP
 * LOCKED}): other workers skip them, and nothing about them is written before {@link #settle}.
 * Closing without {@link #commit}, or a worker that dies meanwhile, gives every one of them back to
 * the queue as it was.
 */
public final class PickedJobs implements AutoCloseable {

    /**
     * One statement for the whole batch: the earlier batch's successes (jobs claimed under a lease,
     * parameters 1-2), the successes of picked jobs that ran in this transaction (their attempt is
     * counted here: 3-4), and the lease for the picked jobs that run after the commit (5-6, the
     * same claim as the broker's consumers make). The three touch different rows (running; picked
     * and run; picked and not run), so the data-modifying parts never meet.
     */
    private static final String SETTLE = "WITH earlier AS (" + JobQueue.succeedMany(false) + "),\n"
            + "now_succeeded AS (" + JobQueue.succeedMany(true) + ")\n" + JobQueue.CLAIM_BY_IDS;
    private static final String FAIL = JobQueue.failStatement(true);

    private final Connection connection;
    private final List<Job> jobs;
    private boolean committed;

    PickedJobs(Connection connection, List<Job> jobs) {
        this.connection = connection;
        this.jobs = List.copyOf(jobs);
    }

    /** The picked jobs as stored: queued, their next attempt not yet counted. */
    public List<Job> jobs() {
        return jobs;
    }

    /**
     * Writes, in one statement, {@code earlier} (job id to JSON result: successes of jobs an earlier
     * batch claimed under a lease), {@code succeededNow} (picked jobs run in this transaction) and the
     * claim of {@code toLease} (picked jobs to run after the commit) under {@code lease}.
     *
     * @return the jobs of {@code toLease} as claimed: running, this attempt counted
     */
    public List<Job> settle(Map<Long, String> earlier, Map<Long, String> succeededNow, Collection<Long> toLease, Duration lease)
            throws SQLException {
        try (PreparedStatement settle = connection.prepareStatement(SETTLE)) {
            int next = JobQueue.bindOutcomes(connection, settle, 1, earlier);
            next = JobQueue.bindOutcomes(connection, settle, next, succeededNow);
            settle.setLong(next, lease.toMillis());
            settle.setArray(next + 1, JobQueue.ids(connection, toLease));
            return JobRows.all(settle);
        }
    }

    /**
     * A picked job's attempt, run in this transaction, failed: the attempt is counted and a retry
     * scheduled after {@code backoff} if attempts are left and {@code retryable}.
     *
     * @return the job's new status, {@code failed} or {@code dead}
     */
    public JobStatus fail(long id, String error, boolean retryable, Duration backoff) throws SQLException {
        try (PreparedStatement fail = connection.prepareStatement(FAIL)) {
            JobQueue.bindFailure(fail, id, error, retryable, backoff);
            try (ResultSet row = fail.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("Picked job " + id + " is not queued in its own transaction");
                }
                return JobStatus.of(row.getString(1));
            }
        }
    }

    public void commit() throws SQLException {
        connection.commit();
        committed = true;
    }

    /** Rolls back unless committed, and gives the connection back to the pool in auto-commit mode. */
    @Override
    public void close() throws SQLException {
        end(connection, committed);
    }

    /** Also where a pick that failed half-way ends its transaction ({@link JobQueue#pickDue}). */
    static void end(Connection connection, boolean committed) throws SQLException {
        try (connection) {
            if (!committed) {
                connection.rollback();
            }
            connection.setAutoCommit(true);
        }
    }
}
