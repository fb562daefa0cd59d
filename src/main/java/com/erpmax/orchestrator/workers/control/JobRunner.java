package com.erpmax.orchestrator.workers.control;

import com.erpmax.orchestrator.jobs.control.JobHandler;
import com.erpmax.orchestrator.jobs.control.JobHandlers;
import com.erpmax.orchestrator.jobs.control.JobMetrics;
import com.erpmax.orchestrator.jobs.control.JobQueue;
import com.erpmax.orchestrator.jobs.control.PermanentJobFailure;
import com.erpmax.orchestrator.jobs.control.PickedJobs;
import com.erpmax.orchestrator.jobs.control.RetryPolicy;
import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.jobs.entity.JobStatus;
import com.erpmax.orchestrator.platform.control.Jsons;
import com.erpmax.orchestrator.platform.control.Settings;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs claimed jobs through their handlers, each within its timeout, under leases renewed by
 * heartbeat, and records the outcomes: succeeded; failed with a retry scheduled after a
 * backoff; or dead (attempts exhausted, or a permanent failure). A failure to record (the
 * database) is thrown, so the caller does not acknowledge the messages and the jobs are
 * delivered again.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class.getName());

    @Inject
    JobHandlers handlers;

    @Inject
    JobQueue queue;

    @Inject
    Settings settings;

    @Inject
    JobMetrics metrics;

    @Resource
    ManagedThreadFactory threads;

    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private ExecutorService handlerThreads;
    private ScheduledExecutorService heartbeat;
    private RetryPolicy retries;
    private Duration lease;

    @PostConstruct
    void init() {
        handlerThreads = Executors.newCachedThreadPool(threads);
        lease = settings.workerLease();
        retries = new RetryPolicy(settings.retryBaseDelay(), settings.retryMaxDelay());
        heartbeat = Executors.newSingleThreadScheduledExecutor(threads);
        long every = Math.max(100, lease.toMillis() / 3);
        heartbeat.scheduleWithFixedDelay(this::renewLeases, every, every, TimeUnit.MILLISECONDS);
    }

    public Duration lease() {
        return lease;
    }

    /** The jobs this instance is running now. */
    public Set<Long> inFlight() {
        return Set.copyOf(inFlight);
    }

    /**
     * Runs claimed jobs in parallel, each within its timeout, and records the outcomes: all
     * successes in one statement (the write that bounds throughput for short jobs), failures
     * one by one. Returns when every job of the batch is recorded.
     */
    public void runAll(List<Job> jobs) throws SQLException {
        Ran ran = run(jobs);
        try {
            queue.succeedAll(ran.succeeded());
        } finally {
            recorded(ran);
        }
    }

    /**
     * Runs claimed jobs in parallel, each within its timeout; records failures one by one but
     * returns the successes unrecorded, so that the caller can write them together with its next
     * claim (one round trip and one commit per batch). Until the caller reports them
     * {@link #recorded}, the jobs stay in flight: their leases are renewed and a drain waits for them.
     */
    public Ran run(List<Job> jobs) throws SQLException {
        if (jobs.isEmpty()) {
            return Ran.NOTHING;
        }
        try {
            return attempt(jobs, (attempt, error, retryable, backoff) -> {
                recordFailure(attempt, error, retryable, backoff);
                inFlight.remove(attempt.job().id());
                return null;
            });
        } catch (InterruptedException e) {
            // Shutting down (the thread stays interrupted): the drain requeues what is left.
            Thread.currentThread().interrupt();
            return Ran.NOTHING;
        }
    }

    /**
     * Runs jobs picked in {@code picked}'s transaction (their handlers are instant: see
     * {@link JobHandler#isInstant}), each within its timeout, as their next attempt. Failures are
     * written into that transaction at once; the successes are returned for the caller to write
     * with {@link PickedJobs#settle}. Nothing counts as done before the caller's commit and
     * {@link #recorded}; should the transaction not commit, the jobs are still queued as before.
     *
     * @throws InterruptedException shutting down: the caller rolls back and the jobs stay queued
     */
    public Ran runPicked(List<Job> jobs, PickedJobs picked) throws SQLException, InterruptedException {
        if (jobs.isEmpty()) {
            return Ran.NOTHING;
        }
        return attempt(jobs.stream().map(Job::nextAttempt).toList(), (attempt, error, retryable, backoff) ->
                new Failed(attempt, error, picked.fail(attempt.job().id(), error, retryable, backoff), backoff));
    }

    /** Where a failed attempt is written: at once (returns null), or in a transaction not yet committed (returns it). */
    @FunctionalInterface
    private interface FailureRecorder {
        Failed record(Attempt attempt, String error, boolean retryable, Duration backoff) throws SQLException;
    }

    /**
     * Starts {@code jobs}, each as the attempt it carries, in parallel, and awaits each within its
     * timeout: the successes are collected, the failures handed to {@code failures}. On any
     * exception the jobs leave the in-flight set.
     *
     * @throws InterruptedException shutting down
     */
    private Ran attempt(List<Job> jobs, FailureRecorder failures) throws SQLException, InterruptedException {
        List<Attempt> attempts = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            inFlight.add(job.id());
            attempts.add(start(job));
        }
        Map<Long, String> succeeded = new LinkedHashMap<>();
        List<Attempt> done = new ArrayList<>();
        List<Failed> failed = new ArrayList<>();
        try {
            for (Attempt attempt : attempts) {
                Outcome outcome = await(attempt);
                if (outcome == null) {
                    throw new InterruptedException("Shutting down while jobs ran");
                }
                if (outcome.error() == null) {
                    succeeded.put(attempt.job().id(), outcome.result());
                    done.add(attempt);
                } else {
                    Duration backoff = retries.delayAfter(attempt.job().attempts());
                    Failed pending = failures.record(attempt, outcome.error(), outcome.retryable(), backoff);
                    if (pending != null) {
                        failed.add(pending);
                    }
                }
            }
        } catch (SQLException | RuntimeException | InterruptedException e) {
            jobs.forEach(job -> inFlight.remove(job.id()));
            throw e;
        }
        return new Ran(succeeded, done, failed);
    }

    /** The outcomes of {@code ran} are written: its jobs leave the in-flight set and count in the metrics. */
    public void recorded(Ran ran) {
        for (Attempt attempt : ran.done) {
            inFlight.remove(attempt.job().id());
            metrics.attemptEnded(attempt.job().type(), JobStatus.SUCCEEDED, Duration.ofNanos(System.nanoTime() - attempt.started()));
        }
        for (Failed failure : ran.failed) {
            Job job = failure.attempt().job();
            inFlight.remove(job.id());
            ended(job, failure.error(), failure.status(), failure.backoff(), failure.attempt().started());
        }
    }

    /**
     * Gives up on recording {@code ran}: its jobs leave the in-flight set. Leased ones run again
     * once their lease runs out and the sweeper requeues them; picked ones are still queued.
     */
    public void forget(Ran ran) {
        ran.done.forEach(attempt -> inFlight.remove(attempt.job().id()));
        ran.failed.forEach(failure -> inFlight.remove(failure.attempt().job().id()));
    }

    /** A batch's outcomes, run but not yet (all) recorded. */
    public static final class Ran {
        public static final Ran NOTHING = new Ran(Map.of(), List.of(), List.of());

        private final Map<Long, String> succeeded;
        private final List<Attempt> done;
        private final List<Failed> failed;

        private Ran(Map<Long, String> succeeded, List<Attempt> done, List<Failed> failed) {
            this.succeeded = succeeded;
            this.done = done;
            this.failed = failed;
        }

        /** Job id to its JSON result. */
        public Map<Long, String> succeeded() {
            return succeeded;
        }

        public boolean isEmpty() {
            return done.isEmpty() && failed.isEmpty();
        }
    }

    /** An attempt that failed, written in a transaction not yet committed; {@code status} is the job's after it. */
    private record Failed(Attempt attempt, String error, JobStatus status, Duration backoff) {
    }

    private record Attempt(Job job, long started, Future<JsonValue> result) {
    }

    /** {@code error} null: succeeded with {@code result}. */
    private record Outcome(String result, String error, boolean retryable) {
    }

    private Attempt start(Job job) {
        Optional<JobHandler> handler = handlers.forType(job.type());
        Future<JsonValue> result = handler.isEmpty()
                ? CompletableFuture.failedFuture(new PermanentJobFailure("No handler for job type '" + job.type() + "' in this version"))
                : handlerThreads.submit(() -> handler.get().handle(payload(job), job.attempts()));
        return new Attempt(job, System.nanoTime(), result);
    }

    private static Outcome await(Attempt attempt) {
        Job job = attempt.job();
        long left = TimeUnit.SECONDS.toNanos(job.timeoutSeconds()) - (System.nanoTime() - attempt.started());
        try {
            JsonValue result = attempt.result().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            return new Outcome((result == null ? JsonValue.NULL : result).toString(), null, false);
        } catch (TimeoutException e) {
            attempt.result().cancel(true);
            return new Outcome(null, "timed out after " + job.timeoutSeconds() + " s", true);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return new Outcome(null, cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage(),
                    !(cause instanceof PermanentJobFailure));
        } catch (InterruptedException e) {
            attempt.result().cancel(true);
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void recordFailure(Attempt attempt, String error, boolean retryable, Duration backoff) throws SQLException {
        Job job = attempt.job();
        queue.fail(job.id(), error, retryable, backoff).ifPresent(status -> ended(job, error, status, backoff, attempt.started()));
    }

    private void ended(Job job, String error, JobStatus status, Duration backoff, long started) {
        metrics.attemptEnded(job.type(), status, Duration.ofNanos(System.nanoTime() - started));
        LOG.info(() -> "Job " + job.id() + " (" + job.type() + ") attempt " + job.attempts() + " failed: " + error
                + " -> " + status.value() + (status == JobStatus.FAILED ? ", retry in " + backoff.toMillis() + " ms" : ""));
    }

    private void renewLeases() {
        try {
            queue.extendLeases(inFlight(), lease);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Lease heartbeat failed; retrying: " + e.getMessage());
        }
    }

    private static JsonObject payload(Job job) {
        try (var reader = Jsons.reader(job.payload())) {
            return reader.readObject();
        }
    }

    @PreDestroy
    void stop() {
        heartbeat.shutdownNow();
        handlerThreads.shutdownNow();
    }
}
