package com.erpmax.orchestrator.workers.boundary;

import com.erpmax.orchestrator.jobs.control.JobHandlers;
import com.erpmax.orchestrator.jobs.control.JobQueue;
import com.erpmax.orchestrator.jobs.control.PickedJobs;
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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * With no broker configured, claims due jobs (highest priority first) straight from PostgreSQL
 * ({@code FOR UPDATE SKIP LOCKED}, so any number of workers share the queue without
 * waiting on each other) and runs them in parallel. {@code erpmax.worker.concurrency} jobs are
 * in hand at most, split over up to {@link #MAX_LANES} claim loops of at least
 * {@link #MIN_LANE_BATCH} jobs each: while one loop waits for its commit, another runs its batch,
 * so the database and the handlers work at the same time. Jobs whose handler is instant (see
 * {@code JobHandler.isInstant}) run inside the transaction that picks them and are written once,
 * with their outcome; the others are claimed under a lease and run after it, and their successes
 * are written with the loop's next batch (one statement, one commit per batch).
 */
@ApplicationScoped
public class DatabaseJobPoller implements JobIntake {

    private static final Logger LOG = Logger.getLogger(DatabaseJobPoller.class.getName());
    static final int MAX_LANES = 4;
    static final int MIN_LANE_BATCH = 32;

    @Inject
    Settings settings;

    @Inject
    JobQueue queue;

    @Inject
    JobRunner runner;

    @Inject
    JobHandlers handlers;

    @Resource
    ManagedThreadFactory threads;

    private volatile boolean running;

    @Override
    public void start() {
        int concurrency = settings.workerConcurrency();
        int lanes = lanes(concurrency);
        long pollMillis = settings.workerPollInterval().toMillis();
        running = true;
        for (int lane = 0; lane < lanes; lane++) {
            // The remainder goes to the first lanes: the batches add up to the concurrency.
            int batch = concurrency / lanes + (lane < concurrency % lanes ? 1 : 0);
            Thread poller = threads.newThread(() -> poll(batch, pollMillis));
            poller.setName("erpmax-db-poller-" + lane);
            poller.start();
        }
        LOG.info(() -> "No broker configured: claiming jobs from PostgreSQL, " + concurrency + " at a time in " + lanes + " loop(s)");
    }

    static int lanes(int concurrency) {
        return Math.max(1, Math.min(MAX_LANES, concurrency / MIN_LANE_BATCH));
    }

    private void poll(int batch, long pollMillis) {
        JobRunner.Ran pending = JobRunner.Ran.NOTHING;
        while (running) {
            try {
                Picked picked = pickAndSettle(batch, pending);
                pending = JobRunner.Ran.NOTHING;
                pending = runner.run(picked.leased());
                if (picked.count() < batch) {
                    // The queue is (nearly) empty: record now rather than with a pick one poll interval away.
                    pending = record(pending);
                    Thread.sleep(pollMillis);
                }
            } catch (InterruptedException e) {
                break;
            } catch (Exception e) {
                // The successes in hand stay pending (still leased) and go with the next batch.
                LOG.log(Level.WARNING, "Claiming jobs failed; retrying", e);
                try {
                    Thread.sleep(pollMillis);
                } catch (InterruptedException interrupted) {
                    break;
                }
            }
        }
        finish(pending);
    }

    /**
     * One transaction: picks due jobs, runs those whose handler is instant, and writes in one
     * statement their outcomes, the earlier batch's successes and the lease of the other picked
     * jobs, which run after the commit.
     */
    private Picked pickAndSettle(int batch, JobRunner.Ran earlier) throws Exception {
        JobRunner.Ran ranNow;
        List<Job> leased;
        int count;
        try (PickedJobs picked = queue.pickDue(batch)) {
            count = picked.jobs().size();
            if (count == 0 && earlier.isEmpty()) {
                return new Picked(0, List.of());
            }
            List<Job> now = new ArrayList<>(count);
            List<Long> later = new ArrayList<>(count);
            for (Job job : picked.jobs()) {
                if (handlers.runsWhenPicked(job.type())) {
                    now.add(job);
                } else {
                    later.add(job.id());
                }
            }
            ranNow = runner.runPicked(now, picked);
            try {
                leased = picked.settle(earlier.succeeded(), ranNow.succeeded(), later, runner.lease());
                picked.commit();
            } catch (Exception e) {
                runner.forget(ranNow);
                throw e;
            }
        }
        runner.recorded(earlier);
        runner.recorded(ranNow);
        return new Picked(count, leased);
    }

    /** How many jobs a transaction picked, and those of them claimed under a lease, to run now. */
    private record Picked(int count, List<Job> leased) {
    }

    private JobRunner.Ran record(JobRunner.Ran pending) throws Exception {
        queue.succeedAll(pending.succeeded());
        runner.recorded(pending);
        return JobRunner.Ran.NOTHING;
    }

    /** Stopping: the last batch's successes are written; if that fails, their leases run out and the sweeper requeues them. */
    private void finish(JobRunner.Ran pending) {
        try {
            record(pending);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Could not record " + pending.succeeded().size() + " finished job(s); they run again after their lease", e);
            runner.forget(pending);
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
