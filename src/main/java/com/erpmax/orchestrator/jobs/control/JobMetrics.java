package com.erpmax.orchestrator.jobs.control;

import com.erpmax.orchestrator.jobs.entity.JobStatus;
import com.erpmax.orchestrator.schema.entity.SchemaReady;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The job metrics at {@code /metrics} (Prometheus text): jobs submitted, succeeded, failed
 * and dead by type, handler duration by type, queue depth and outbox lag.
 */
@ApplicationScoped
public class JobMetrics {

    private static final Logger LOG = Logger.getLogger(JobMetrics.class.getName());
    private static final String QUEUE_DEPTH = "SELECT count(*) FROM jobs WHERE status = 'queued' AND run_at <= now()";
    private static final String OUTBOX_LAG = "SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM job_outbox";

    @Inject
    MetricRegistry registry;

    @Inject
    DataSource dataSource;

    /** Gauges read the database, so they exist only once the schema does. */
    void registerGauges(@Observes SchemaReady ready) {
        registry.gauge("erpmax.jobs.queue.depth", this, metrics -> metrics.query(QUEUE_DEPTH));
        registry.gauge("erpmax.jobs.outbox.lag.seconds", this, metrics -> metrics.query(OUTBOX_LAG));
    }

    public void submitted(String type) {
        registry.counter("erpmax.jobs.submitted", new Tag("type", type)).inc();
    }

    /** An attempt ended; {@code status} is the job's status after it: succeeded, failed (retry scheduled) or dead. */
    public void attemptEnded(String type, JobStatus status, Duration took) {
        registry.counter("erpmax.jobs." + status.value(), new Tag("type", type)).inc();
        registry.timer("erpmax.jobs.handler.duration", new Tag("type", type)).update(took);
    }

    private double query(String sql) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getDouble(1);
        } catch (Exception e) {
            LOG.log(Level.FINE, "Metric query failed", e);
            return Double.NaN;
        }
    }
}
