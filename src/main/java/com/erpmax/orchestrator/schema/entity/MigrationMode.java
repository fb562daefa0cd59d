package com.erpmax.orchestrator.schema.entity;

/** How an instance treats the schema at start-up. */
public enum MigrationMode {
    /** Apply pending changesets under the cluster-wide lock (development, single host). */
    UPDATE,
    /** Never migrate: wait until no changeset of ours is pending (production app containers). */
    VALIDATE,
    /** Trust the schema as it is. */
    NONE
}
