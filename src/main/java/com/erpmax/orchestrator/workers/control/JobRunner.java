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
import java.util.Optional;
import java.util.Set;
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
 * Runs one claimed job through its handler, within the job's timeout, under a lease renewed by
 * heartbeat, and records the outcome: succeeded; failed with a retry scheduled after a backoff;
 * or dead (attempts exhausted, or a permanent failure). A failure to record (the database) is
 * thrown, so the caller does not acknowledge the message and the job is delivered again.
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

    public void run(Job job) throws SQLException {
        inFlight.add(job.id());
        try {
            Optional<JobHandler> handler = handlers.forType(job.type());
            if (handler.isEmpty()) {
                recordFailure(job, "No handler for job type '" + job.type() + "' in this version", false, System.nanoTime());
                return;
            }
            JsonValue result;
            long started = System.nanoTime();
            Future<JsonValue> attempt = handlerThreads.submit(() -> handler.get().handle(payload(job), job.attempts()));
            try {
                result = attempt.get(job.timeoutSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                attempt.cancel(true);
                recordFailure(job, "timed out after " + job.timeoutSeconds() + " s", true, started);
                return;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                recordFailure(job, cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage(),
                        !(cause instanceof PermanentJobFailure), started);
                return;
            } catch (InterruptedException e) {
                attempt.cancel(true);
                Thread.currentThread().interrupt();
                return; // shutting down: the drain requeues it
            }
            queue.succeed(job.id(), (result == null ? JsonValue.NULL : result).toString());
            metrics.attemptEnded(job.type(), JobStatus.SUCCEEDED, Duration.ofNanos(System.nanoTime() - started));
        } finally {
            inFlight.remove(job.id());
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
