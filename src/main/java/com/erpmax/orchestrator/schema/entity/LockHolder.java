package com.erpmax.orchestrator.schema.entity;

import java.time.Instant;

/**
 * The session that holds the migration lock, as PostgreSQL reports it.
 *
 * @param since when the holder's session connected: our instances open the lock session just
 *              before taking the lock, so this is when it began waiting for or took the lock
 */
public record LockHolder(int pid, String application, String clientAddress, Instant since) {

    public String describe() {
        return (application == null || application.isBlank() ? "(no application_name)" : application)
                + " (pid " + pid + (clientAddress == null ? "" : ", " + clientAddress) + ", since " + since + ")";
    }
}
