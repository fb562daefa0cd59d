package com.erpmax.orchestrator.workers.boundary;

import com.erpmax.orchestrator.jobs.control.JobQueue;
import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.workers.control.JobRunner;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * With no broker configured, claims due jobs (highest priority first) straight from PostgreSQL
 * ({@code FOR UPDATE SKIP LOCKED}, so any number of workers share the queue without
 * waiting on each other) in batches of {@code erpmax.worker.concurrency}, and runs them in
 * parallel; outcomes are written in one statement per batch.
 */
@ApplicationScoped
public class DatabaseJobPoller implements JobIntake {

    private static final Logger LOG = Logger.getLogger(DatabaseJobPoller.class.getName());

    @Inject
    Settings settings;

    @Inject
    JobQueue queue;

    @Inject
    JobRunner runner;

    @Resource
    ManagedThreadFactory threads;

    private volatile boolean running;

    @Override
    public void start() {
        int batch = settings.workerConcurrency();
        long pollMillis = settings.workerPollInterval().toMillis();
        running = true;
        Thread poller = threads.newThread(() -> poll(batch, pollMillis));
        poller.setName("erpmax-db-poller");
        poller.start();
        LOG.info(() -> "No broker configured: claiming jobs from PostgreSQL, " + batch + " at a time");
    }

    private void poll(int batch, long pollMillis) {
        while (running) {
            try {
                List<Job> claimed = queue.claimDue(batch, runner.lease());
                runner.runAll(claimed);
                if (claimed.size() < batch) {
                    Thread.sleep(pollMillis);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.log(Level.WARNING, "Claiming jobs failed; retrying", e);
                try {
                    Thread.sleep(pollMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Claims no more; the batch in hand goes on. */
    @Override
    public void stopTaking() {
        running = false;
    }

    @PreDestroy
    void close() {
        stopTaking();
    }
}
