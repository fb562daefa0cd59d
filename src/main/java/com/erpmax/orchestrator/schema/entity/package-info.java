/**
 * The start-up state machine's phases and status, changeset identities, and the SchemaReady event.
 */
package com.erpmax.orchestrator.schema.entity;
