package com.erpmax.orchestrator.jobs.control;

/** Thrown by a handler when another attempt cannot succeed (a 4xx answer, bad payload): the job goes dead at once. */
public class PermanentJobFailure extends Exception {

    public PermanentJobFailure(String message) {
        super(message);
    }
}
