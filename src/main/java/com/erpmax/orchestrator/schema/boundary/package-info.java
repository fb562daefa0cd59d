/**
 * The start-up gate: migrates under the cluster-wide lock before anything serves, and turns API requests away until READY.
 */
package com.erpmax.orchestrator.schema.boundary;
