package com.erpmax.orchestrator.schema.entity;

/** CDI event fired once, when the schema is current and business code may touch its tables. */
public record SchemaReady() {
}
