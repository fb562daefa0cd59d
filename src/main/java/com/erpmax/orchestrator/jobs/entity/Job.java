package com.erpmax.orchestrator.jobs.entity;

import java.time.Instant;

/**
 * One ERP integration job as PostgreSQL records it.
 *
 * @param payload  the submitted JSON object, as text
 * @param result   the handler's JSON result, as text, once succeeded
 * @param runAt    when it is due: at submission, or when its next retry is
 * @param attempts attempts started so far; a job is dead once {@code maxAttempts} have failed
 */
public record Job(long id, String type, String payload, JobStatus status, int attempts, int maxAttempts,
                  int priority, int timeoutSeconds, Instant runAt, String idempotencyKey, String result,
                  String error, Instant createdAt, Instant updatedAt, Instant startedAt, Instant finishedAt) {

    /** This job as the attempt about to start sees it: running, that attempt counted. */
    public Job nextAttempt() {
        return new Job(id, type, payload, JobStatus.RUNNING, attempts + 1, maxAttempts, priority, timeoutSeconds, runAt,
                idempotencyKey, result, error, createdAt, updatedAt, startedAt, finishedAt);
    }
}
