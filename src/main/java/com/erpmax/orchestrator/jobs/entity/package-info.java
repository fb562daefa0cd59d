/**
 * A job and its status, free of JDBC, JSON and HTTP.
 */
package com.erpmax.orchestrator.jobs.entity;
