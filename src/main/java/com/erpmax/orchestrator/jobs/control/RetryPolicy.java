package com.erpmax.orchestrator.jobs.control;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: attempt n waits between half and all of
 * {@code base * 2^(n-1)}, at most {@code max}. The jitter spreads retries of jobs that failed
 * together (an ERP outage) so that they do not return together.
 */
public record RetryPolicy(Duration base, Duration max) {

    public Duration delayAfter(int attempt) {
        long ceiling = base.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
        long capped = Math.min(max.toMillis(), ceiling);
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }
}
