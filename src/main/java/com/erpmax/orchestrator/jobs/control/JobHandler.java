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
}
