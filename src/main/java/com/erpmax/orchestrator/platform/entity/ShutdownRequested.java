package com.erpmax.orchestrator.platform.entity;

import java.time.Duration;

/**
 * CDI event: the process was asked to stop (SIGTERM or SIGINT). Observers stop taking work and finish
 * what they hold within {@code grace}; readiness goes DOWN first.
 */
public record ShutdownRequested(Duration grace) {
}
