package com.erpmax.orchestrator.schema.control;

/** The migration lock stayed taken longer than the configured timeout. */
public class LockTimeoutException extends Exception {

    public LockTimeoutException(String message) {
        super(message);
    }
}
