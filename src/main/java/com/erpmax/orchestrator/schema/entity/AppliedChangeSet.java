package com.erpmax.orchestrator.schema.entity;

import java.time.Instant;

/** A row of Liquibase's {@code databasechangelog}: one changeset the database has applied. */
public record AppliedChangeSet(ChangeSetRef changeSet, Instant executedAt, int order, String tag, String checksum,
                               String labels) {
}
