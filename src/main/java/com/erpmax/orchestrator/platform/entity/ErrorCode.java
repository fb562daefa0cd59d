package com.erpmax.orchestrator.platform.entity;

/** Why a request was refused. Part of the API: clients may switch on the {@code code} of a problem. */
public enum ErrorCode {
    NOT_READY,
    WRONG_ROLE,
    NOT_FOUND,
    MALFORMED_JSON,
    INVALID_REQUEST,
    UNKNOWN_JOB_TYPE,
    CONFLICT,
    PAYLOAD_TOO_LARGE,
    INTERNAL;

    /** The code as it appears in problem documents: {@code unknown-job-type}. */
    public String slug() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
