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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Consumes job ids from RabbitMQ with manual acks, one channel per concurrent job. A message is
 * acknowledged only after the job's outcome is recorded; a redelivered message for a job that
 * is already running or finished matches no queued row and is acknowledged and dropped. A
 * message that cannot be processed (the database is away) is returned to the queue; the
 * queue's delivery limit sends a message that keeps failing to the dead-letter queue.
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

    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    private record Subscription(Channel channel, String consumerTag) {
    }
    private volatile boolean stopping;

    @Override
    public void start() {
        broker.consuming();
        Thread subscriber = threads.newThread(this::subscribe);
        subscriber.setName("erpmax-amqp-subscribe");
        subscriber.start();
    }

    /** Retries until the broker answers: a worker may well start before RabbitMQ is up. */
    private void subscribe() {
        int concurrency = settings.workerConcurrency();
        while (!stopping && subscriptions.size() < concurrency) {
            try {
                Channel channel = broker.openChannel();
                channel.basicQos(settings.workerPrefetch());
                subscriptions.add(new Subscription(channel, channel.basicConsume(broker.jobsQueue(), false, new JobDelivery(channel))));
            } catch (Exception e) {
                LOG.warning(() -> "Cannot consume from RabbitMQ yet (" + e.getMessage() + "); retrying in " + RETRY_MILLIS + " ms");
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
        LOG.info(() -> "Consuming " + broker.jobsQueue() + " on " + subscriptions.size() + " channel(s)");
    }

    /** Cancels the consumers: the broker sends nothing more; messages already here are given back. */
    @Override
    public void stopTaking() {
        stopping = true;
        for (Subscription subscription : subscriptions) {
            try {
                subscription.channel().basicCancel(subscription.consumerTag());
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "Cancelling a consumer failed", e);
            }
        }
    }

    /** Closing a channel returns its unacknowledged messages to the queue. */
    @PreDestroy
    void close() {
        stopTaking();
        for (Subscription subscription : subscriptions) {
            try {
                subscription.channel().close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "Closing a channel failed", e);
            }
        }
    }

    private final class JobDelivery extends DefaultConsumer {

        JobDelivery(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) throws IOException {
            if (stopping) {
                getChannel().basicNack(envelope.getDeliveryTag(), false, true);
                return;
            }
            process(envelope.getDeliveryTag(), new String(body, StandardCharsets.US_ASCII));
        }

        private void process(long deliveryTag, String body) throws IOException {
            long jobId;
            try {
                jobId = Long.parseLong(body.trim());
            } catch (NumberFormatException e) {
                LOG.warning(() -> "Rejected a message that is not a job id: '" + body + "'");
                getChannel().basicReject(deliveryTag, false);
                return;
            }
            try {
                Optional<Job> claimed = queue.claim(jobId, runner.lease());
                if (claimed.isPresent()) {
                    runner.run(claimed.get());
                } else {
                    LOG.fine(() -> "Job " + jobId + " is not queued and due (a duplicate, or not due yet); dropped");
                }
                getChannel().basicAck(deliveryTag, false);
            } catch (Exception e) {
                // Not recorded: give it back to the queue for another try.
                LOG.log(Level.WARNING, "Job " + jobId + " could not be processed; returned to the queue", e);
                pauseBeforeRequeue();
                getChannel().basicNack(deliveryTag, false, true);
            }
        }

        private void pauseBeforeRequeue() {
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
