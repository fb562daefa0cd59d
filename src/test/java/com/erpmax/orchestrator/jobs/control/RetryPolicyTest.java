package com.erpmax.orchestrator.jobs.control;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5));

    @Test
    void eachAttemptWaitsBetweenHalfAndAllOfItsExponentialCeiling() {
        for (int attempt = 1; attempt <= 8; attempt++) {
            long ceiling = 1_000L << (attempt - 1);
            for (int i = 0; i < 200; i++) {
                long delay = policy.delayAfter(attempt).toMillis();
                assertTrue(delay >= ceiling / 2 && delay <= ceiling, "attempt " + attempt + ": " + delay + " ms");
            }
        }
    }

    @Test
    void theDelayIsCappedAndNeverOverflows() {
        for (int attempt : new int[]{10, 30, 64, 1_000}) {
            long delay = policy.delayAfter(attempt).toMillis();
            assertTrue(delay >= 150_000 && delay <= 300_000, attempt + ": " + delay);
        }
    }

    @Test
    void jitterSpreadsRetriesOfJobsThatFailedTogether() {
        Set<Long> delays = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            delays.add(policy.delayAfter(5).toMillis());
        }
        assertTrue(delays.size() > 25, "distinct delays: " + delays.size());
    }
}
