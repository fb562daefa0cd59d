package com.erpmax.orchestrator.jobs.control;

import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.jobs.entity.JobPage;
import com.erpmax.orchestrator.jobs.entity.JobStatus;
import com.erpmax.orchestrator.jobs.entity.JobSubmission;
import com.erpmax.orchestrator.platform.control.Transaction;
import com.erpmax.orchestrator.platform.entity.ErrorCode;
import com.erpmax.orchestrator.platform.entity.ServiceException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * The API's side of the {@code jobs} table: submit, read, list, cancel, retry. Every state
 * change is one conditional statement, so that it cannot race a worker: the loser matches no row.
 */
@ApplicationScoped
public class JobStore {

    /**
     * The job and, when it is due now and goes through the broker, its outbox row, in one
     * statement: atomic without an explicit transaction, so a submit costs one round trip to
     * PostgreSQL instead of four (begin, two inserts, commit). A job due later is published by
     * the sweeper when it is due. An idempotency key already taken inserts nothing.
     */
    private static final String INSERT = """
            WITH job AS (
              INSERT INTO jobs (type, payload, priority, run_at, max_attempts, timeout_seconds, idempotency_key, request_hash)
              VALUES (?, ?::jsonb, ?, coalesce(?::timestamptz, now()), ?, ?, ?, ?)
              ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
              RETURNING *),
            outbox AS (INSERT INTO job_outbox (job_id) SELECT id FROM job WHERE ? AND run_at <= now())
            SELECT\s""" + JobRows.COLUMNS + " FROM job";
    private static final String BY_KEY = "SELECT " + JobRows.COLUMNS + ", request_hash FROM jobs WHERE idempotency_key = ?";
    private static final String FIND = "SELECT " + JobRows.COLUMNS + " FROM jobs WHERE id = ?";
    private static final String LIST = """
            SELECT\s""" + JobRows.COLUMNS + """
             FROM jobs
             WHERE (?::text IS NULL OR status = ?) AND (?::text IS NULL OR type = ?) AND (?::bigint IS NULL OR id < ?)
             ORDER BY id DESC LIMIT ?
            """;
    /** Cancellable: waiting to run, first time or for a retry. Not running, not finished. */
    private static final String CANCEL = """
            UPDATE jobs SET status = 'cancelled', finished_at = now(), updated_at = now(), lease_expires_at = NULL
             WHERE id = ? AND status IN ('queued', 'failed')
            RETURNING\s""" + JobRows.COLUMNS;
    private static final String RETRY = """
            UPDATE jobs SET status = 'queued', attempts = 0, run_at = now(), error = NULL, result = NULL,
                            finished_at = NULL, started_at = NULL, updated_at = now()
             WHERE id = ? AND status IN ('dead', 'cancelled')
            RETURNING\s""" + JobRows.COLUMNS;
    private static final String INSERT_OUTBOX = "INSERT INTO job_outbox (job_id) VALUES (?)";

    /** The outcome of a submission: a new job, or the one already submitted under the same key. */
    public record Submitted(Job job, boolean created) {
    }

    @Inject
    DataSource dataSource;

    /**
     * Records a new queued job; with {@code viaOutbox}, also its outbox row, in the same
     * transaction, so that it reaches the broker even if this process dies right after. A
     * repeated request with the same idempotency key gets the job it created the first time;
     * the same key with a different request is a conflict.
     */
    public Submitted submit(JobSubmission submission, boolean viaOutbox) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            Optional<Job> inserted;
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                insert.setString(1, submission.type());
                insert.setString(2, submission.payload());
                insert.setInt(3, submission.priority());
                insert.setObject(4, submission.runAt() == null ? null : submission.runAt().atOffset(ZoneOffset.UTC),
                        Types.TIMESTAMP_WITH_TIMEZONE);
                insert.setInt(5, submission.maxAttempts());
                insert.setInt(6, submission.timeoutSeconds());
                insert.setString(7, submission.idempotencyKey());
                insert.setString(8, submission.requestHash());
                insert.setBoolean(9, viaOutbox);
                inserted = JobRows.single(insert);
            }
            if (inserted.isPresent()) {
                return new Submitted(inserted.get(), true);
            }
            // The key is taken (its first submit has committed: the insert waited for it).
            return new Submitted(existing(connection, submission), false);
        }
    }

    private static Job existing(Connection connection, JobSubmission submission) throws SQLException {
        try (PreparedStatement find = connection.prepareStatement(BY_KEY)) {
            find.setString(1, submission.idempotencyKey());
            try (var row = find.executeQuery()) {
                row.next();
                if (!submission.requestHash().equals(row.getString("request_hash"))) {
                    throw new ServiceException(ErrorCode.CONFLICT, "Idempotency-Key '" + submission.idempotencyKey()
                            + "' was used for a different request");
                }
                return JobRows.job(row);
            }
        }
    }

    public Optional<Job> find(long id) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement find = connection.prepareStatement(FIND)) {
            find.setLong(1, id);
            return JobRows.single(find);
        }
    }

    /** Newest first, optionally filtered, continuing after {@code afterId}. */
    public JobPage list(JobStatus status, String type, int limit, Long afterId) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement list = connection.prepareStatement(LIST)) {
            String statusValue = status == null ? null : status.value();
            list.setString(1, statusValue);
            list.setString(2, statusValue);
            list.setString(3, type);
            list.setString(4, type);
            list.setObject(5, afterId, Types.BIGINT);
            list.setObject(6, afterId, Types.BIGINT);
            list.setInt(7, limit + 1);
            List<Job> jobs = JobRows.all(list);
            boolean more = jobs.size() > limit;
            List<Job> page = more ? jobs.subList(0, limit) : jobs;
            return new JobPage(List.copyOf(page), more ? page.get(page.size() - 1).id() : null);
        }
    }

    /** Cancels a job that waits to run (queued, or failed and waiting for its retry). */
    public Job cancel(long id) throws SQLException {
        return transition(id, CANCEL, false, "only a queued job or one waiting for its retry can be cancelled");
    }

    /** Runs a dead or cancelled job again, from attempt 1. */
    public Job retry(long id, boolean viaOutbox) throws SQLException {
        return transition(id, RETRY, viaOutbox, "only a dead or cancelled job can be retried");
    }

    private Job transition(long id, String sql, boolean viaOutbox, String rule) throws SQLException {
        Optional<Job> changed = Transaction.run(dataSource, connection -> {
            try (PreparedStatement update = connection.prepareStatement(sql)) {
                update.setLong(1, id);
                Optional<Job> updated = JobRows.single(update);
                if (updated.isPresent() && viaOutbox) {
                    try (PreparedStatement outbox = connection.prepareStatement(INSERT_OUTBOX)) {
                        outbox.setLong(1, id);
                        outbox.executeUpdate();
                    }
                }
                return updated;
            }
        });
        if (changed.isPresent()) {
            return changed.get();
        }
        Job current = find(id).orElseThrow(() -> new ServiceException(ErrorCode.NOT_FOUND, "No job with id " + id));
        throw new ServiceException(ErrorCode.CONFLICT, "Job " + id + " is " + current.status().value() + ": " + rule);
    }
}
