package com.erpmax.orchestrator.schema.control;

/** PostgreSQL did not accept a session in time, or refused our credentials. */
public class DatabaseUnavailableException extends Exception {

    public DatabaseUnavailableException(String message) {
        super(message);
    }
}
