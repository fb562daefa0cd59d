package com.erpmax.orchestrator.schema.entity;

/** What a process does once start-up has FAILED. */
public enum FailurePolicy {
    /** Exit with {@link com.erpmax.orchestrator.platform.entity.ExitCodes#STARTUP_FAILED}, for restart policies. */
    EXIT,
    /** Keep running so that readiness can say why. */
    STAY
}
