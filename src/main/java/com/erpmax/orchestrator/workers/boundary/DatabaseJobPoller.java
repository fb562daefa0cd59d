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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * With no broker configured, claims due jobs (highest priority first) straight from PostgreSQL
 * ({@code FOR UPDATE SKIP LOCKED}, so any number of workers share the queue without
 * waiting on each other) and runs them in parallel.
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
    private Thread poller;
    private ExecutorService handlers;

    @Override
    public void start() {
        int concurrency = settings.workerConcurrency();
        long pollMillis = settings.workerPollInterval().toMillis();
        handlers = Executors.newFixedThreadPool(concurrency, threads);
        running = true;
        poller = threads.newThread(() -> poll(concurrency, pollMillis));
        poller.setName("erpmax-db-poller");
        poller.start();
        LOG.info(() -> "No broker configured: claiming jobs from PostgreSQL, " + concurrency + " at a time");
    }

    private void poll(int concurrency, long pollMillis) {
        while (running) {
            try {
                List<Job> claimed = queue.claimDue(concurrency, runner.lease());
                if (!claimed.isEmpty()) {
                    List<Callable<Void>> runs = new ArrayList<>();
                    for (Job job : claimed) {
                        runs.add(() -> {
                            runner.run(job);
                            return null;
                        });
                    }
                    handlers.invokeAll(runs);
                }
                if (claimed.size() < concurrency) {
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
        if (handlers != null) {
            handlers.shutdown();
        }
    }
}
