package com.erpmax.orchestrator.migrator;

/** Ends a command with a message for the operator and the exit code that scripts switch on. */
class MigratorException extends Exception {

    private final int exitCode;

    MigratorException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    MigratorException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
