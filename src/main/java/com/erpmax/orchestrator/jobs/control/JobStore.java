package com.erpmax.orchestrator.jobs.control;

import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.jobs.entity.JobStatus;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code jobs} and {@code job_outbox} tables. Every state change is one conditional
 * statement, so two workers can never both move the same job: the loser's update matches no
 * row.
 */
@ApplicationScoped
public class JobStore {

    private static final String COLUMNS = "id, type, payload, status, attempts, result, error, created_at, updated_at, started_at, finished_at";
    private static final String INSERT = "INSERT INTO jobs (type, payload) VALUES (?, ?::jsonb) RETURNING " + COLUMNS;
    private static final String INSERT_OUTBOX = "INSERT INTO job_outbox (job_id) VALUES (?)";
    private static final String FIND = "SELECT " + COLUMNS + " FROM jobs WHERE id = ?";
    private static final String CLAIM = """
            UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = now(), updated_at = now()
             WHERE id = ? AND status = 'queued'
            RETURNING\s""" + COLUMNS;
    private static final String CLAIM_OLDEST = """
            UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = now(), updated_at = now()
             WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
            RETURNING\s""" + COLUMNS;
    private static final String SUCCEED = """
            UPDATE jobs SET status = 'succeeded', result = ?::jsonb, error = NULL, finished_at = now(), updated_at = now()
             WHERE id = ? AND status = 'running'
            """;
    private static final String FAIL = """
            UPDATE jobs SET status = 'failed', error = ?, finished_at = now(), updated_at = now()
             WHERE id = ? AND status = 'running'
            """;

    @Inject
    DataSource dataSource;

    /**
     * Records a new queued job. With {@code viaOutbox}, an outbox row is written in the same
     * transaction, so the job reaches the broker even if this process dies right after.
     */
    public Job submit(String type, String payloadJson, boolean viaOutbox) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Job job;
                try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                    insert.setString(1, type);
                    insert.setString(2, payloadJson);
                    job = single(insert).orElseThrow();
                }
                if (viaOutbox) {
                    try (PreparedStatement outbox = connection.prepareStatement(INSERT_OUTBOX)) {
                        outbox.setLong(1, job.id());
                        outbox.executeUpdate();
                    }
                }
                connection.commit();
                return job;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    public Optional<Job> find(long id) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement find = connection.prepareStatement(FIND)) {
            find.setLong(1, id);
            return single(find);
        }
    }

    /** Moves a queued job to running; empty when it is not queued (already claimed, finished or unknown). */
    public Optional<Job> claim(long id) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            claim.setLong(1, id);
            return single(claim);
        }
    }

    /** Claims up to {@code limit} of the oldest queued jobs; rows other workers are claiming are skipped, not waited for. */
    public List<Job> claimOldest(int limit) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement claim = connection.prepareStatement(CLAIM_OLDEST)) {
            claim.setInt(1, limit);
            List<Job> claimed = new ArrayList<>();
            try (ResultSet rows = claim.executeQuery()) {
                while (rows.next()) {
                    claimed.add(job(rows));
                }
            }
            return claimed;
        }
    }

    public void succeed(long id, String resultJson) throws SQLException {
        update(SUCCEED, resultJson, id);
    }

    public void fail(long id, String error) throws SQLException {
        update(FAIL, error, id);
    }

    private void update(String sql, String value, long id) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement update = connection.prepareStatement(sql)) {
            update.setString(1, value);
            update.setLong(2, id);
            update.executeUpdate();
        }
    }

    private static Optional<Job> single(PreparedStatement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(job(rows)) : Optional.empty();
        }
    }

    private static Job job(ResultSet row) throws SQLException {
        return new Job(row.getLong("id"), row.getString("type"), row.getString("payload"),
                JobStatus.of(row.getString("status")), row.getInt("attempts"), row.getString("result"),
                row.getString("error"), instant(row, "created_at"), instant(row, "updated_at"),
                instant(row, "started_at"), instant(row, "finished_at"));
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
