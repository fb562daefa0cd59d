package com.erpmax.orchestrator.jobs.control;

import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.jobs.entity.JobStatus;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reading {@code jobs} rows: the column list every statement returns, and the mapping to {@link Job}. */
final class JobRows {

    static final String COLUMNS = "id, type, payload, status, attempts, max_attempts, priority, timeout_seconds, run_at, "
            + "idempotency_key, result, error, created_at, updated_at, started_at, finished_at";

    private JobRows() {
    }

    static Optional<Job> single(PreparedStatement statement) throws SQLException {
        List<Job> jobs = all(statement);
        return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
    }

    static List<Job> all(PreparedStatement statement) throws SQLException {
        List<Job> jobs = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                jobs.add(job(rows));
            }
        }
        return jobs;
    }

    static Job job(ResultSet row) throws SQLException {
        return new Job(row.getLong("id"), row.getString("type"), row.getString("payload"),
                JobStatus.of(row.getString("status")), row.getInt("attempts"), row.getInt("max_attempts"),
                row.getInt("priority"), row.getInt("timeout_seconds"), instant(row, "run_at"), row.getString("idempotency_key"),
                row.getString("result"), row.getString("error"), instant(row, "created_at"), instant(row, "updated_at"),
                instant(row, "started_at"), instant(row, "finished_at"));
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
