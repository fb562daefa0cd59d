package com.erpmax.orchestrator.schema.entity;

/**
 * One changeset of our changelog with the checksum Liquibase records for it.
 *
 * @param runOnChange whether Liquibase runs it again when its checksum changes
 */
public record ChangelogEntry(ChangeSetRef changeSet, String checksum, boolean runOnChange) {
}
