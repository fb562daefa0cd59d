package com.erpmax.orchestrator.workers.control;

import com.erpmax.orchestrator.jobs.control.JobHandler;
import com.erpmax.orchestrator.jobs.control.JobHandlers;
import com.erpmax.orchestrator.jobs.control.JobStore;
import com.erpmax.orchestrator.jobs.entity.Job;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.sql.SQLException;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one claimed job through its handler and records the outcome. A handler's failure is the
 * job's failure, recorded with its message; a failure to record (the database) is thrown, so
 * the caller does not acknowledge the message and the job is delivered again.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class.getName());

    @Inject
    JobHandlers handlers;

    @Inject
    JobStore store;

    public void run(Job job) throws SQLException {
        Optional<JobHandler> handler = handlers.forType(job.type());
        if (handler.isEmpty()) {
            store.fail(job.id(), "No handler for job type '" + job.type() + "' in this version");
            return;
        }
        JsonValue result;
        try {
            result = handler.get().handle(payload(job), job.attempts());
        } catch (Exception e) {
            LOG.log(Level.INFO, "Job " + job.id() + " (" + job.type() + ") attempt " + job.attempts() + " failed", e);
            store.fail(job.id(), e.getMessage() == null ? e.getClass().getName() : e.getMessage());
            return;
        }
        store.succeed(job.id(), (result == null ? JsonValue.NULL : result).toString());
    }

    private static JsonObject payload(Job job) {
        try (var reader = Json.createReader(new StringReader(job.payload()))) {
            return reader.readObject();
        }
    }
}
