package com.erpmax.orchestrator.workers.boundary;

import com.erpmax.orchestrator.jobs.control.JobQueue;
import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.platform.control.Broker;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.workers.control.JobRunner;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Consumes job ids from RabbitMQ with manual acks, in batches: the deliveries waiting in hand
 * (up to {@code erpmax.worker.concurrency}) are claimed with one statement, run in parallel,
 * and acknowledged with one ack. The successes of a batch are written with the claim of the next
 * one (one statement and one commit per batch), or on their own when no next batch is waiting.
 * A message is acknowledged only after its job's outcome is recorded; a redelivered message for a
 * job that is already running or finished matches no queued row and is acknowledged and dropped.
 * When claiming fails (the database is away) the batch goes back to the queue; the queue's
 * delivery limit sends a message that keeps failing to the dead-letter queue.
 */
@ApplicationScoped
public class AmqpJobConsumer implements JobIntake {

    private static final Logger LOG = Logger.getLogger(AmqpJobConsumer.class.getName());
    private static final long RETRY_MILLIS = 2_000;

    @Inject
    Settings settings;

    @Inject
    Broker broker;

    @Inject
    JobQueue queue;

    @Inject
    JobRunner runner;

    @Resource
    ManagedThreadFactory threads;

    private record Delivery(long tag, String body) {
    }

    private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    private volatile Channel channel;
    private volatile String consumerTag;
    private volatile boolean stopping;

    @Override
    public void start() {
        broker.consuming();
        Thread worker = threads.newThread(this::consumeLoop);
        worker.setName("erpmax-amqp-worker");
        worker.start();
    }

    /** A batch that ran: its successes are not recorded yet, so its messages are not acknowledged yet. */
    private record Pending(JobRunner.Ran ran, Channel channel, List<Delivery> batch) {
        static final Pending NOTHING = new Pending(JobRunner.Ran.NOTHING, null, List.of());
    }

    private void consumeLoop() {
        int batchSize = settings.workerConcurrency();
        if (!subscribe(batchSize)) {
            return;
        }
        LOG.info(() -> "Consuming " + broker.jobsQueue() + ", batches of up to " + batchSize);
        Pending pending = Pending.NOTHING;
        while (!stopping) {
            try {
                // With successes in hand, do not wait for the next batch: record them now instead.
                Delivery first = pending.batch().isEmpty() ? deliveries.poll(200, TimeUnit.MILLISECONDS) : deliveries.poll();
                if (first == null) {
                    pending = recordAndAck(pending);
                    continue;
                }
                List<Delivery> batch = new ArrayList<>(batchSize);
                batch.add(first);
                deliveries.drainTo(batch, batchSize - 1);
                pending = process(batch, pending);
            } catch (InterruptedException e) {
                break;
            }
        }
        recordAndAck(pending);
    }

    /** Retries until the broker answers: a worker may well start before RabbitMQ is up. */
    private boolean subscribe(int batchSize) {
        while (!stopping) {
            try {
                Channel opened = broker.openChannel();
                // Three batches: one waiting for its successes to be recorded (with the next claim), one
                // running, and the next arriving meanwhile.
                opened.basicQos(Math.max(settings.workerPrefetch(), 3 * batchSize));
                channel = opened;
                consumerTag = opened.basicConsume(broker.jobsQueue(), false, new DefaultConsumer(opened) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                        deliveries.add(new Delivery(envelope.getDeliveryTag(), new String(body, StandardCharsets.US_ASCII)));
                    }
                });
                return true;
            } catch (Exception e) {
                LOG.warning(() -> "Cannot consume from RabbitMQ yet (" + e.getMessage() + "); retrying in " + RETRY_MILLIS + " ms");
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException interrupted) {
                    return false;
                }
            }
        }
        return false;
    }

    /** Claims {@code batch} while recording {@code pending}'s successes, acknowledges {@code pending}, runs {@code batch}. */
    private Pending process(List<Delivery> batch, Pending pending) throws InterruptedException {
        Channel current = channel;
        List<Delivery> valid = new ArrayList<>(batch.size());
        List<Job> claimed;
        try {
            List<Long> ids = new ArrayList<>(batch.size());
            for (Delivery delivery : batch) {
                try {
                    ids.add(Long.parseLong(delivery.body().trim()));
                    valid.add(delivery);
                } catch (NumberFormatException e) {
                    LOG.warning(() -> "Rejected a message that is not a job id: '" + delivery.body() + "'");
                    current.basicReject(delivery.tag(), false);
                }
            }
            claimed = queue.claimAll(ids, runner.lease(), pending.ran().succeeded());
        } catch (Exception e) {
            // Nothing of this statement happened: the batch goes back, the successes in hand stay pending.
            giveBack(current, valid, e);
            return pending;
        }
        runner.recorded(pending.ran());
        ack(pending);
        try {
            // Duplicates and jobs not due yet matched no row: acknowledged and dropped with the rest.
            return new Pending(runner.run(claimed), current, valid);
        } catch (Exception e) {
            giveBack(current, valid, e);
            return Pending.NOTHING;
        }
    }

    /** Records {@code pending}'s successes on their own and acknowledges its messages; on failure they stay pending. */
    private Pending recordAndAck(Pending pending) {
        if (pending.batch().isEmpty()) {
            return Pending.NOTHING;
        }
        try {
            queue.succeedAll(pending.ran().succeeded());
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Recording " + pending.ran().succeeded().size() + " finished job(s) failed; retrying", e);
            if (stopping) {
                // Unacknowledged, their messages come back; the jobs run again once their leases run out.
                runner.forget(pending.ran());
                return Pending.NOTHING;
            }
            pause();
            return pending;
        }
        runner.recorded(pending.ran());
        ack(pending);
        return Pending.NOTHING;
    }

    private static void ack(Pending pending) {
        if (pending.batch().isEmpty()) {
            return;
        }
        try {
            ackUpTo(pending.channel(), pending.batch(), pending.batch().get(pending.batch().size() - 1).tag());
        } catch (Exception e) {
            // The outcomes are recorded: the redelivered messages match no queued job and are dropped.
            LOG.log(Level.FINE, "Acknowledging a recorded batch failed", e);
        }
    }

    /** One by one: a multiple nack would also return the pending batch's messages, whose jobs ran. */
    private void giveBack(Channel current, List<Delivery> batch, Exception e) throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException();
        }
        LOG.log(Level.WARNING, "A batch of " + batch.size() + " job(s) could not be processed; returned to the queue", e);
        Thread.sleep(RETRY_MILLIS);
        try {
            for (Delivery delivery : batch) {
                current.basicNack(delivery.tag(), false, true);
            }
        } catch (Exception nack) {
            LOG.log(Level.FINE, "Nack failed; closing the channel returns the messages anyway", nack);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One ack for the whole batch (every earlier message is settled already), unless a rejected
     * message sits inside it: then one by one.
     */
    private static void ackUpTo(Channel channel, List<Delivery> batch, long lastTag) throws Exception {
        long first = batch.get(0).tag();
        if (lastTag - first + 1 == batch.size()) {
            channel.basicAck(lastTag, true);
        } else {
            for (Delivery delivery : batch) {
                channel.basicAck(delivery.tag(), false);
            }
        }
    }

    /** Cancels the consumer: the broker sends nothing more; messages in hand but not started go back. */
    @Override
    public void stopTaking() {
        stopping = true;
        Channel current = channel;
        if (current != null && consumerTag != null) {
            try {
                current.basicCancel(consumerTag);
            } catch (Exception e) {
                LOG.log(Level.FINE, "Cancelling the consumer failed", e);
            }
        }
    }

    /** Closing the channel returns its unacknowledged messages to the queue. */
    @PreDestroy
    void close() {
        stopTaking();
        Channel current = channel;
        if (current != null) {
            try {
                current.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "Closing the channel failed", e);
            }
        }
    }
}
