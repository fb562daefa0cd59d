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
 * their outcomes written with one statement, and acknowledged with one ack. A message is
 * acknowledged only after its job's outcome is recorded; a redelivered message for a job that
 * is already running or finished matches no queued row and is acknowledged and dropped. When
 * recording fails (the database is away) the batch goes back to the queue; the queue's
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

    private void consumeLoop() {
        int batchSize = settings.workerConcurrency();
        if (!subscribe(batchSize)) {
            return;
        }
        LOG.info(() -> "Consuming " + broker.jobsQueue() + ", batches of up to " + batchSize);
        List<Delivery> batch = new ArrayList<>(batchSize);
        while (!stopping) {
            try {
                Delivery first = deliveries.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                deliveries.drainTo(batch, batchSize - 1);
                process(batch);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Retries until the broker answers: a worker may well start before RabbitMQ is up. */
    private boolean subscribe(int batchSize) {
        while (!stopping) {
            try {
                Channel opened = broker.openChannel();
                // Twice the batch: the next batch arrives while this one runs.
                opened.basicQos(Math.max(settings.workerPrefetch(), 2 * batchSize));
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

    private void process(List<Delivery> batch) throws InterruptedException {
        Channel current = channel;
        long lastTag = batch.get(batch.size() - 1).tag();
        try {
            List<Long> ids = new ArrayList<>(batch.size());
            for (Delivery delivery : batch) {
                try {
                    ids.add(Long.parseLong(delivery.body().trim()));
                } catch (NumberFormatException e) {
                    LOG.warning(() -> "Rejected a message that is not a job id: '" + delivery.body() + "'");
                    current.basicReject(delivery.tag(), false);
                    ids.add(null);
                }
            }
            List<Job> claimed = queue.claimAll(ids.stream().filter(id -> id != null).toList(), runner.lease());
            runner.runAll(claimed);
            // Duplicates and jobs not due yet matched no row: acknowledged and dropped with the rest.
            ackUpTo(current, batch, lastTag);
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            LOG.log(Level.WARNING, "A batch of " + batch.size() + " job(s) could not be processed; returned to the queue", e);
            Thread.sleep(RETRY_MILLIS);
            try {
                current.basicNack(lastTag, true, true);
            } catch (Exception nack) {
                LOG.log(Level.FINE, "Nack failed; closing the channel returns the messages anyway", nack);
            }
        }
    }

    /** One ack for the whole batch, unless a rejected message sits inside it (multiple would ack it twice). */
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
