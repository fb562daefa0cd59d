package com.erpmax.orchestrator.schema.entity;

/** One changeset of our changelog, identified as Liquibase identifies it in {@code databasechangelog}. */
public record ChangeSetRef(String id, String author, String file) {

    @Override
    public String toString() {
        return file + "::" + id + "::" + author;
    }
}
