/**
 * Configuration (every key in Settings), the database pool and unpooled sessions, the RabbitMQ connection. Used by every capability.
 */
package com.erpmax.orchestrator.platform.control;
