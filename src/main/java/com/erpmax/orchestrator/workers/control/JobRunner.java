package com.erpmax.orchestrator.workers.control;

import com.erpmax.orchestrator.jobs.control.JobHandler;
import com.erpmax.orchestrator.jobs.control.JobHandlers;
import com.erpmax.orchestrator.jobs.control.JobMetrics;
import com.erpmax.orchestrator.jobs.control.JobQueue;
import com.erpmax.orchestrator.jobs.control.PermanentJobFailure;
import com.erpmax.orchestrator.jobs.control.RetryPolicy;
import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.jobs.entity.JobStatus;
import com.erpmax.orchestrator.platform.control.Settings;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.io.StringReader;
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
        if (jobs.isEmpty()) {
            return;
        }
        List<Attempt> attempts = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            inFlight.add(job.id());
            attempts.add(start(job));
        }
        try {
            Map<Long, String> succeeded = new LinkedHashMap<>();
            List<Attempt> done = new ArrayList<>();
            for (Attempt attempt : attempts) {
                Outcome outcome = await(attempt);
                if (outcome == null) {
                    return; // interrupted: shutting down, the drain requeues what is left
                }
                if (outcome.error() == null) {
                    succeeded.put(attempt.job().id(), outcome.result());
                    done.add(attempt);
                } else {
                    recordFailure(attempt.job(), outcome.error(), outcome.retryable(), attempt.started());
                }
            }
            queue.succeedAll(succeeded);
            for (Attempt attempt : done) {
                metrics.attemptEnded(attempt.job().type(), JobStatus.SUCCEEDED, Duration.ofNanos(System.nanoTime() - attempt.started()));
            }
        } finally {
            jobs.forEach(job -> inFlight.remove(job.id()));
        }
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

    private void recordFailure(Job job, String error, boolean retryable, long started) throws SQLException {
        Duration backoff = retries.delayAfter(job.attempts());
        queue.fail(job.id(), error, retryable, backoff).ifPresent(status -> {
            metrics.attemptEnded(job.type(), status, Duration.ofNanos(System.nanoTime() - started));
            LOG.info(() -> "Job " + job.id() + " (" + job.type() + ") attempt " + job.attempts() + " failed: " + error
                    + " -> " + status.value() + (status == JobStatus.FAILED ? ", retry in " + backoff.toMillis() + " ms" : ""));
        });
    }

    private void renewLeases() {
        try {
            queue.extendLeases(inFlight(), lease);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Lease heartbeat failed; retrying: " + e.getMessage());
        }
    }

    private static JsonObject payload(Job job) {
        try (var reader = Json.createReader(new StringReader(job.payload()))) {
            return reader.readObject();
        }
    }

    @PreDestroy
    void stop() {
        heartbeat.shutdownNow();
        handlerThreads.shutdownNow();
    }
}
