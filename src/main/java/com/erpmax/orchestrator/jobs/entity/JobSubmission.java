package com.erpmax.orchestrator.jobs.entity;

import java.time.Instant;

/**
 * A checked request for a new job.
 *
 * @param runAt          null: now
 * @param idempotencyKey null: none
 * @param requestHash    identifies the request's content, to tell a retry of it from a different request under the same key
 */
public record JobSubmission(String type, String payload, int priority, Instant runAt, int maxAttempts,
                            int timeoutSeconds, String idempotencyKey, String requestHash) {

    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final int DEFAULT_TIMEOUT_SECONDS = 300;
}
