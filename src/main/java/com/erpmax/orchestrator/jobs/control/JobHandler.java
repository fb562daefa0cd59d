package com.erpmax.orchestrator.jobs.control;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * The handler SPI: one CDI bean per job type. Delivery is at least once, so a handler must be
 * safe to run again for the same job (the attempt number says which run this is).
 */
public interface JobHandler {

    /** The job type this handler runs, e.g. {@code echo}; unique among handlers. */
    String type();

    /**
     * Runs one attempt of a job.
     *
     * @param payload the payload the job was submitted with
     * @param attempt 1 for the first run, then 2, 3, ...
     * @return the result, stored with the job when it succeeded
     * @throws Exception the attempt failed; the message is stored as the job's error
     */
    JsonValue handle(JsonObject payload, int attempt) throws Exception;

    /**
     * True for a handler that only computes (no I/O, no waiting) and returns within microseconds.
     * A worker without a broker runs such a job inside the transaction that picks it from the
     * queue and writes the job once, with its outcome, instead of twice (claimed under a lease,
     * then finished): for short jobs that write is the cost that bounds throughput. Meanwhile the
     * job shows {@code queued}; if the worker dies, its transaction rolls back and the job is
     * picked again at once, the lost attempt not counted. A handler that calls out or may take
     * long must answer false: it would hold a transaction and its row locks open while it runs.
     */
    default boolean isInstant() {
        return false;
    }
}
