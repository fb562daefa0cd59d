package com.erpmax.orchestrator.platform.control;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.SSLContext;

/**
 * The RabbitMQ connection of this instance, when {@code erpmax.amqp.uri} is set. Declares the
 * durable quorum queue that carries job ids ({@code erpmax.amqp.queue}). The client recovers the connection (and its
 * consumers) by itself after a broker restart; only the first connect is retried by callers.
 */
@ApplicationScoped
public class Broker {

    private static final Logger LOG = Logger.getLogger(Broker.class.getName());

    /** Where a message goes after {@link #DELIVERY_LIMIT} failed deliveries: the queue {@code <queue>.dead}. */
    public static final String DEAD_LETTER_EXCHANGE = "erpmax.dead-letter";
    public static final int DELIVERY_LIMIT = 20;

    /**
     * The job queue's arguments: a durable quorum queue (replicated, survives a broker node),
     * with a delivery limit so that a poison message ends in the dead-letter queue instead of
     * circling forever. Declaring the queue with other arguments fails, so this is the one place
     * that says them.
     */
    public static Map<String, Object> queueArguments() {
        return Map.of("x-queue-type", "quorum", "x-delivery-limit", DELIVERY_LIMIT,
                "x-dead-letter-exchange", DEAD_LETTER_EXCHANGE);
    }

    @Inject
    Settings settings;

    @Resource
    ManagedThreadFactory threads;

    private volatile Connection connection;
    private volatile boolean consuming;

    public boolean isConfigured() {
        return settings.amqpUri().isPresent();
    }

    public String jobsQueue() {
        return settings.amqpQueue();
    }

    public boolean isOpen() {
        Connection current = connection;
        return current != null && current.isOpen();
    }

    /** Whether this instance consumes from the broker, so that readiness depends on it. */
    public boolean isConsuming() {
        return consuming;
    }

    public void consuming() {
        consuming = true;
    }

    /** A new channel on the shared connection, connecting first if needed. */
    public synchronized Channel openChannel() throws IOException, TimeoutException {
        if (connection == null) {
            connection = connect();
        }
        return connection.createChannel();
    }

    private Connection connect() throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        URI uri = settings.amqpUri().orElseThrow(); // Settings checked it as the client reads it
        try {
            if ("amqps".equalsIgnoreCase(uri.getScheme())) {
                // Before setUri, which would otherwise trust any certificate at all (and warn).
                factory.useSslProtocol(SSLContext.getDefault());
                factory.enableHostnameVerification();
            }
            factory.setUri(uri);
        } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
            // Not e's message: it may quote the URI, password and all.
            throw new IllegalStateException("The RabbitMQ client refused " + Settings.AMQP_URI + " (" + e.getClass().getName() + ")");
        }
        factory.setThreadFactory(threads);
        factory.setAutomaticRecoveryEnabled(true);
        factory.setConnectionTimeout(5_000);
        Connection opened = factory.newConnection("erpmax-" + settings.role().name().toLowerCase(java.util.Locale.ROOT));
        try (Channel channel = opened.createChannel()) {
            channel.exchangeDeclare(DEAD_LETTER_EXCHANGE, "fanout", true);
            channel.queueDeclare(jobsQueue() + ".dead", true, false, false, Map.of("x-queue-type", "quorum"));
            channel.queueBind(jobsQueue() + ".dead", DEAD_LETTER_EXCHANGE, jobsQueue());
            channel.queueDeclare(jobsQueue(), true, false, false, queueArguments());
        }
        LOG.info(() -> "Connected to RabbitMQ at " + opened.getAddress() + ":" + opened.getPort());
        return opened;
    }

    @PreDestroy
    synchronized void close() {
        if (connection != null) {
            try {
                connection.close(5_000);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "RabbitMQ connection did not close cleanly", e);
            }
        }
    }
}
