package com.erpmax.orchestrator.schema.entity;

import java.time.Instant;

/**
 * What start-up is doing now, as health checks and the API gate report it.
 *
 * @param lockHolder who holds the migration lock while we wait for it, else null
 * @param pending    our changesets not yet applied, when known, else null
 * @param applied    changesets applied by this instance so far
 * @param lastError  why start-up FAILED, or the last transient error while waiting, else null
 */
public record StartupStatus(StartupPhase phase, Instant since, String lockHolder, Integer pending,
                            int applied, String lastError) {

    public static StartupStatus starting(Instant now) {
        return new StartupStatus(StartupPhase.STARTING, now, null, null, 0, null);
    }

    public StartupStatus enter(StartupPhase next, Instant now) {
        return new StartupStatus(next, now, null, pending, applied, next == StartupPhase.FAILED ? lastError : null);
    }

    public StartupStatus withLockHolder(String holder) {
        return new StartupStatus(phase, since, holder, pending, applied, lastError);
    }

    public StartupStatus withProgress(int newApplied, int newPending) {
        return new StartupStatus(phase, since, lockHolder, newPending, newApplied, lastError);
    }

    public StartupStatus withError(String error) {
        return new StartupStatus(phase, since, lockHolder, pending, applied, error);
    }

    /** One line for an operator: the phase and what it waits for. */
    public String describe() {
        StringBuilder text = new StringBuilder(phase.name());
        if (phase == StartupPhase.MIGRATING && pending != null) {
            text.append(" (").append(applied).append('/').append(applied + pending).append(')');
        }
        if (lockHolder != null) {
            text.append(", lock held by ").append(lockHolder);
        }
        if (phase == StartupPhase.WAITING_FOR_SCHEMA && pending != null) {
            text.append(", ").append(pending).append(" changeset(s) pending");
        }
        if (lastError != null) {
            text.append(": ").append(lastError);
        }
        return text.toString();
    }
}
