package com.erpmax.orchestrator.schema.entity;

/** The start-up state machine (DESIGN §1). Only READY serves business traffic. */
public enum StartupPhase {
    STARTING,
    WAITING_FOR_DATABASE,
    WAITING_FOR_LOCK,
    MIGRATING,
    WAITING_FOR_SCHEMA,
    READY,
    FAILED,
    DRAINING;

    public boolean isTerminal() {
        return this == FAILED || this == DRAINING;
    }
}
