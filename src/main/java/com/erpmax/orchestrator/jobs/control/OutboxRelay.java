package com.erpmax.orchestrator.jobs.control;

import com.erpmax.orchestrator.platform.control.Broker;
import com.erpmax.orchestrator.platform.control.Transaction;
import com.erpmax.orchestrator.schema.entity.SchemaReady;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.MessageProperties;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes submitted jobs to RabbitMQ from the outbox. A row is deleted only after the broker
 * confirmed its message, in the transaction that locked it; a crash in between publishes it
 * again, which the workers' conditional claim makes harmless. Runs on every instance with a
 * broker (the sweeper writes outbox rows too); {@code SKIP LOCKED} makes that safe.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class.getName());
    /**
     * Rows per transaction and per wait for the broker's confirms. A backlog (a bulk submit, the
     * broker back after an outage) goes out at the pace of one confirm round per batch: at 100 the
     * relay, not the workers, bounded a 30,000-job drain (2.5k jobs/s); at 500 it publishes about
     * 6k/s and the drain reached 3.5k/s, the workers then running at 7-9k/s once it is done.
     */
    private static final int BATCH = 500;
    private static final long IDLE_POLL_MILLIS = 1_000;
    private static final long CONFIRM_TIMEOUT_MILLIS = 10_000;

    private static final String LOCK_BATCH = "SELECT id, job_id FROM job_outbox ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED";
    private static final String DELETE = "DELETE FROM job_outbox WHERE id = ANY (?)";
    private static final String MARK_DISPATCHED = "UPDATE jobs SET dispatched_at = now() WHERE id = ANY (?)";

    @Inject
    Broker broker;

    @Inject
    DataSource dataSource;

    @Resource
    ManagedThreadFactory threads;

    private final Semaphore work = new Semaphore(0);
    private volatile boolean running;
    private Thread relay;

    void start(@Observes SchemaReady ready) {
        if (!broker.isConfigured()) {
            return;
        }
        running = true;
        relay = threads.newThread(this::relayLoop);
        relay.setName("erpmax-outbox-relay");
        relay.start();
    }

    /** A job was just submitted: publish now rather than at the next poll. */
    public void nudge() {
        work.release();
    }

    private void relayLoop() {
        Channel channel = null;
        while (running) {
            try {
                if (channel == null || !channel.isOpen()) {
                    channel = broker.openChannel();
                    channel.confirmSelect();
                }
                if (publishBatch(channel) < BATCH) {
                    work.tryAcquire(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                    work.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.log(Level.WARNING, "Outbox relay: publishing failed, jobs stay in the outbox and are retried: " + e.getMessage());
                pause();
            }
        }
    }

    private int publishBatch(Channel channel) throws Exception {
        return Transaction.run(dataSource, connection -> {
            List<Long> rows = new ArrayList<>();
            List<Long> jobs = new ArrayList<>();
            try (PreparedStatement lock = connection.prepareStatement(LOCK_BATCH)) {
                lock.setInt(1, BATCH);
                try (ResultSet batch = lock.executeQuery()) {
                    while (batch.next()) {
                        rows.add(batch.getLong(1));
                        jobs.add(batch.getLong(2));
                        channel.basicPublish("", broker.jobsQueue(), MessageProperties.PERSISTENT_BASIC,
                                Long.toString(batch.getLong(2)).getBytes(StandardCharsets.US_ASCII));
                    }
                }
            }
            if (!rows.isEmpty()) {
                channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MILLIS);
                try (PreparedStatement delete = connection.prepareStatement(DELETE);
                     PreparedStatement mark = connection.prepareStatement(MARK_DISPATCHED)) {
                    delete.setArray(1, connection.createArrayOf("bigint", rows.toArray()));
                    delete.executeUpdate();
                    mark.setArray(1, connection.createArrayOf("bigint", jobs.toArray()));
                    mark.executeUpdate();
                }
            }
            return rows.size();
        });
    }

    private void pause() {
        try {
            Thread.sleep(IDLE_POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @PreDestroy
    void stop() {
        running = false;
        if (relay != null) {
            relay.interrupt();
            try {
                relay.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
