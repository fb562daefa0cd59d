package com.erpmax.orchestrator.platform.boundary;

import com.erpmax.orchestrator.platform.control.InvalidSettingException;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.platform.entity.ShutdownRequested;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Logger;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A lossless stop on SIGTERM or SIGINT, before the JVM's own shutdown (which would stop HTTP and
 * undeploy at once, with Payara's log already closed): readiness goes DOWN, HTTP keeps serving for
 * {@code erpmax.shutdown.delay} so that load balancers stop routing here first, workers stop
 * taking jobs and finish theirs within {@code erpmax.shutdown.grace} (what does not finish is
 * requeued), then the process exits 0. A second signal exits at once.
 * <p>
 * SIGINT is Ctrl-C in a terminal, and the stop signal some supervisors send; it gets the same
 * stop, so that no job in hand is cut off. A process that started with SIGINT ignored (started
 * in the background by a script, {@code cmd &}) keeps ignoring it: the JVM does not take over an
 * ignored signal, and says so here.
 * <p>
 * Installed when the application context starts: a CDI bean, not a {@code @Startup} EJB, so
 * that the WAR has no EJB for Payara to set its EJB container up for.
 */
@ApplicationScoped
public class ShutdownSequence {

    private static final Logger LOG = Logger.getLogger(ShutdownSequence.class.getName());
    private static final AtomicBoolean STOPPING = new AtomicBoolean();
    private static final String[] STOP_SIGNALS = {"TERM", "INT"};

    @Inject
    Settings settings;

    @Inject
    Event<ShutdownRequested> shutdownRequested;

    /** The signal arrives on a JVM thread without the application's context; the drain runs on a managed one. */
    @Resource
    ManagedThreadFactory threads;

    void install(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        for (String name : STOP_SIGNALS) {
            try {
                if (Signal.handle(new Signal(name), this::stop) == SignalHandler.SIG_IGN) {
                    LOG.info(() -> "SIG" + name + " is ignored by this process, which started with it ignored (in the background of a script?): it will not stop it");
                }
            } catch (IllegalArgumentException reserved) {
                // -Xrs: the JVM leaves its stop signals alone; an exception here would fail the deployment.
                LOG.warning(() -> "SIG" + name + " cannot be handled (" + reserved.getMessage() + "): it stops the process without the drain");
            }
        }
    }

    private void stop(Signal signal) {
        String name = "SIG" + signal.getName();
        if (!STOPPING.compareAndSet(false, true)) {
            LOG.warning(() -> name + " while stopping: exiting now");
            // 128 + the signal's number, as a shell reports a process ended by it.
            Runtime.getRuntime().halt(128 + signal.getNumber());
        }
        Thread drain = threads.newThread(() -> drainAndExit(name));
        drain.setName("erpmax-shutdown");
        drain.start();
    }

    private void drainAndExit(String signal) {
        Duration delay = readOr(settings::shutdownDelay, Settings.DEFAULT_SHUTDOWN_DELAY);
        Duration grace = readOr(settings::shutdownGrace, Settings.DEFAULT_SHUTDOWN_GRACE);
        long start = System.nanoTime();
        LOG.info(() -> signal + ": not ready any more; serving HTTP for " + delay.toMillis() + " ms more, draining workers within "
                + grace.toMillis() + " ms (another " + signal + " exits at once)");
        try {
            shutdownRequested.fire(new ShutdownRequested(grace));
            long left = delay.toMillis() - (System.nanoTime() - start) / 1_000_000;
            if (left > 0) {
                Thread.sleep(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warning(() -> "Draining failed (" + e + "); stopping anyway");
        }
        LOG.info(() -> "Drained in " + (System.nanoTime() - start) / 1_000_000 + " ms; stopping");
        System.exit(0);
    }

    /** An instance kept up FAILED ({@code erpmax.startup.on-failure=stay}) may have exactly these wrong; a stop signal must still stop it. */
    private static Duration readOr(Supplier<Duration> setting, Duration fallback) {
        try {
            return setting.get();
        } catch (InvalidSettingException e) {
            LOG.warning(() -> e.getMessage() + "; using " + fallback.toMillis() + " ms");
            return fallback;
        }
    }
}
