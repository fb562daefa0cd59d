/**
 * Workers that take jobs from RabbitMQ or straight from PostgreSQL; started only by the SchemaReady event.
 */
package com.erpmax.orchestrator.workers.boundary;
