package com.erpmax.orchestrator.jobs.entity;

import java.util.Locale;

/** Where a job is in its life; stored and shown in lower case. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, DEAD, CANCELLED;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
