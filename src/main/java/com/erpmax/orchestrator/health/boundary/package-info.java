/**
 * MicroProfile Health checks (live, started, ready); they only read the start-up state and probe the database and broker.
 */
package com.erpmax.orchestrator.health.boundary;
