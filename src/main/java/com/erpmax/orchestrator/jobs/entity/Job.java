package com.erpmax.orchestrator.jobs.entity;

import java.time.Instant;

/**
 * One ERP integration job as PostgreSQL records it.
 *
 * @param payload the submitted JSON object, as text
 * @param result  the handler's JSON result, as text, once succeeded
 */
public record Job(long id, String type, String payload, JobStatus status, int attempts, String result,
                  String error, Instant createdAt, Instant updatedAt, Instant startedAt, Instant finishedAt) {
}
