package com.erpmax.orchestrator.schema.control;

import com.erpmax.orchestrator.schema.entity.StartupPhase;
import com.erpmax.orchestrator.schema.entity.StartupStatus;

import com.erpmax.orchestrator.platform.entity.ShutdownRequested;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import java.time.Clock;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The one place that knows the start-up phase. The schema gate writes it; health checks, the
 * API gate and workers read it. Reads never block, so probes answer at once whatever start-up
 * is doing.
 */
@ApplicationScoped
public class StartupState {

    private static final Logger LOG = Logger.getLogger(StartupState.class.getName());

    private final Clock clock = Clock.systemUTC();
    private volatile StartupStatus status = StartupStatus.starting(clock.instant());
    private volatile boolean wasReady;

    public StartupStatus current() {
        return status;
    }

    public boolean isReady() {
        return status.phase() == StartupPhase.READY;
    }

    /**
     * Business traffic is served in READY, and while DRAINING after READY: readiness is DOWN
     * then, but requests still arriving (before the load balancer noticed) are answered.
     */
    public boolean servesTraffic() {
        return isReady() || (status.phase() == StartupPhase.DRAINING && wasReady);
    }

    /** First among the shutdown observers: readiness must be DOWN before anything waits for workers. */
    void onShutdown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownRequested shutdown) {
        enter(StartupPhase.DRAINING);
    }

    /** Moves to the next phase, logging how long the previous one took. Terminal phases are final. */
    public synchronized void enter(StartupPhase next) {
        StartupStatus previous = status;
        if (previous.phase().isTerminal() || previous.phase() == next) {
            return;
        }
        wasReady |= previous.phase() == StartupPhase.READY;
        status = previous.enter(next, clock.instant());
        LOG.info(() -> "Start-up phase " + previous.phase() + " took "
                + (clock.millis() - previous.since().toEpochMilli()) + " ms; now " + next);
    }

    public synchronized void fail(String reason) {
        if (status.phase().isTerminal()) {
            return;
        }
        status = status.withError(reason).enter(StartupPhase.FAILED, clock.instant());
        LOG.severe(() -> "Start-up FAILED: " + reason);
    }

    public synchronized void update(UnaryOperator<StartupStatus> change) {
        status = change.apply(status);
    }
}
