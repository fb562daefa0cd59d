package com.erpmax.orchestrator.workers.boundary;

import com.erpmax.orchestrator.jobs.control.JobStore;
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
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * With no broker configured, claims the oldest queued jobs straight from PostgreSQL
 * ({@code FOR UPDATE SKIP LOCKED}, so any number of workers share the queue without
 * waiting on each other) and runs them in parallel.
 */
@ApplicationScoped
public class DatabaseJobPoller {

    private static final Logger LOG = Logger.getLogger(DatabaseJobPoller.class.getName());
    private static final long DRAIN_SECONDS = 25;

    @Inject
    Settings settings;

    @Inject
    JobStore store;

    @Inject
    JobRunner runner;

    @Resource
    ManagedThreadFactory threads;

    private volatile boolean running;
    private Thread poller;
    private ExecutorService handlers;

    void start() {
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
                List<Job> claimed = store.claimOldest(concurrency);
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

    /** Claims no more, and lets the jobs in hand finish. */
    @PreDestroy
    void stop() {
        running = false;
        if (poller == null) {
            return;
        }
        try {
            poller.join(TimeUnit.SECONDS.toMillis(DRAIN_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handlers.shutdown();
    }
}
