package com.erpmax.orchestrator.platform.entity;

/** A refusal with a code; the API renders it as {@code application/problem+json}. Knows no HTTP. */
public class ServiceException extends RuntimeException {

    private final ErrorCode code;

    public ServiceException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
