package com.erpmax.orchestrator.jobs.control;

import com.erpmax.orchestrator.platform.control.Broker;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.platform.control.Transaction;
import com.erpmax.orchestrator.schema.entity.SchemaReady;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes sure no job is forgotten: due retries go back to the queue, jobs whose worker died
 * (lease expired) are given to another worker or declared dead, and queued jobs whose message
 * was lost, or that just became due, are published again. Runs on every instance; {@code SKIP
 * LOCKED} lets many sweep at once without stepping on each other. Duplicated messages are
 * harmless: a worker's claim matches only a queued row.
 */
@ApplicationScoped
public class JobSweeper {

    private static final Logger LOG = Logger.getLogger(JobSweeper.class.getName());
    private static final int BATCH = 1_000;

    private static final String DUE_RETRIES = """
            UPDATE jobs SET status = 'queued', updated_at = now()
             WHERE id IN (SELECT id FROM jobs WHERE status = 'failed' AND run_at <= now()
                           ORDER BY run_at LIMIT ? FOR UPDATE SKIP LOCKED)
            RETURNING id
            """;
    private static final String EXPIRED_LEASES = """
            UPDATE jobs SET status = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'dead' END,
                            error = 'the worker stopped during attempt ' || attempts || ' (its lease expired)',
                            finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE now() END,
                            lease_expires_at = NULL, run_at = now(), updated_at = now()
             WHERE id IN (SELECT id FROM jobs WHERE status = 'running' AND lease_expires_at < now()
                           LIMIT ? FOR UPDATE SKIP LOCKED)
            RETURNING id, status
            """;
    /** Queued and due, with no message on its way: never published, published before it was due, or long ago. */
    private static final String UNDISPATCHED = """
            INSERT INTO job_outbox (job_id)
            SELECT id FROM jobs j
             WHERE status = 'queued' AND run_at <= now()
               AND (dispatched_at IS NULL OR dispatched_at < run_at OR dispatched_at < now() - ? * interval '1 millisecond')
               AND NOT EXISTS (SELECT FROM job_outbox o WHERE o.job_id = j.id)
             ORDER BY run_at LIMIT ? FOR UPDATE SKIP LOCKED
            """;

    @Inject
    Settings settings;

    @Inject
    Broker broker;

    @Inject
    DataSource dataSource;

    @Inject
    OutboxRelay relay;

    @Resource
    ManagedThreadFactory threads;

    private volatile boolean running;
    private Thread sweeper;

    void start(@Observes SchemaReady ready) {
        running = true;
        sweeper = threads.newThread(this::sweepLoop);
        sweeper.setName("erpmax-sweeper");
        sweeper.setDaemon(true);
        sweeper.start();
    }

    private void sweepLoop() {
        long interval = settings.sweepInterval().toMillis();
        while (running) {
            try {
                Thread.sleep(interval);
                if (sweepOnce() > 0) {
                    relay.nudge();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.log(Level.WARNING, "Sweep failed; retrying in " + interval + " ms: " + e.getMessage());
            }
        }
    }

    /** One pass; returns how many jobs it moved. */
    int sweepOnce() throws SQLException {
        boolean viaBroker = broker.isConfigured();
        return Transaction.run(dataSource, connection -> {
            int moved = 0;
            try (PreparedStatement retries = connection.prepareStatement(DUE_RETRIES)) {
                retries.setInt(1, BATCH);
                moved += count(retries);
            }
            try (PreparedStatement expired = connection.prepareStatement(EXPIRED_LEASES)) {
                expired.setInt(1, BATCH);
                int lost = count(expired);
                if (lost > 0) {
                    LOG.warning(() -> lost + " job(s) had an expired lease (their worker stopped); requeued or dead");
                }
                moved += lost;
            }
            if (viaBroker) {
                try (PreparedStatement undispatched = connection.prepareStatement(UNDISPATCHED)) {
                    undispatched.setLong(1, settings.redispatchAfter().toMillis());
                    undispatched.setInt(2, BATCH);
                    moved += undispatched.executeUpdate();
                }
            }
            return moved;
        });
    }

    private static int count(PreparedStatement statement) throws SQLException {
        int rows = 0;
        try (var result = statement.executeQuery()) {
            while (result.next()) {
                rows++;
            }
        }
        return rows;
    }

    @PreDestroy
    void stop() {
        running = false;
        if (sweeper != null) {
            sweeper.interrupt();
        }
    }
}
