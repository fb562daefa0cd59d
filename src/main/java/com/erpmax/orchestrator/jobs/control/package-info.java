/**
 * The job record in PostgreSQL, the outbox relay to RabbitMQ, and the handler SPI with its registry.
 */
package com.erpmax.orchestrator.jobs.control;
