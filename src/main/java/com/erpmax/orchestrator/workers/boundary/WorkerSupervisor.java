package com.erpmax.orchestrator.workers.boundary;

import com.erpmax.orchestrator.jobs.control.JobQueue;
import com.erpmax.orchestrator.platform.control.Broker;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.platform.entity.ShutdownRequested;
import com.erpmax.orchestrator.schema.entity.SchemaReady;
import com.erpmax.orchestrator.workers.control.JobRunner;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts this instance's workers when, and only when, the schema gate opens: from RabbitMQ
 * when a broker is configured, else straight from PostgreSQL. (No MDBs: Payara starts them
 * before any {@code @Startup} bean, that is, before the schema exists.) On shutdown it stops
 * the intake, lets the jobs in hand finish within the grace period, and requeues the rest.
 */
@ApplicationScoped
public class WorkerSupervisor {

    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());

    @Inject
    Settings settings;

    @Inject
    Broker broker;

    @Inject
    AmqpJobConsumer amqpConsumer;

    @Inject
    DatabaseJobPoller databasePoller;

    @Inject
    JobRunner runner;

    @Inject
    JobQueue queue;

    private volatile JobIntake intake;

    void start(@Observes SchemaReady ready) {
        if (!settings.role().runsWorkers()) {
            LOG.info("erpmax.role=api: no workers in this instance");
            return;
        }
        intake = broker.isConfigured() ? amqpConsumer : databasePoller;
        intake.start();
    }

    void onShutdown(@Observes ShutdownRequested shutdown) {
        drain(shutdown.grace());
    }

    @PreDestroy
    void stop() {
        drain(settings.shutdownGrace());
    }

    private synchronized void drain(Duration grace) {
        JobIntake current = intake;
        if (current == null) {
            return;
        }
        intake = null;
        current.stopTaking();
        long deadline = System.nanoTime() + grace.toNanos();
        while (!runner.inFlight().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Set<Long> unfinished = runner.inFlight();
        if (unfinished.isEmpty()) {
            LOG.info("Workers drained: every job in hand finished");
            return;
        }
        try {
            int requeued = queue.requeue(unfinished, broker.isConfigured());
            LOG.warning(() -> requeued + " job(s) did not finish within " + grace.toMillis() + " ms and were requeued: " + unfinished);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Could not requeue " + unfinished + "; their leases will expire and the sweeper requeues them", e);
        }
    }
}
