/**
 * The jobs REST API: submit a job, read its status.
 */
package com.erpmax.orchestrator.jobs.boundary;
