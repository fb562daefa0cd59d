package com.erpmax.orchestrator.testing;

import com.erpmax.orchestrator.platform.control.Broker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** A queue of its own on the real RabbitMQ broker ({@code ERPMAX_TEST_AMQP_URI}, default local guest). */
public final class TestBroker implements AutoCloseable {

    public static final String URI = System.getenv().getOrDefault("ERPMAX_TEST_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/%2F");

    private final Connection connection;
    private final Channel channel;
    private final String queue;

    public TestBroker(String purpose) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(URI);
        connection = factory.newConnection("erpmax-test");
        channel = connection.createChannel();
        queue = "erpmax.it." + purpose + "." + UUID.randomUUID().toString().substring(0, 8);
        // Declared as the application declares it, so its own declaration agrees.
        channel.queueDeclare(queue, true, false, false, Broker.queueArguments());
    }

    public String queue() {
        return queue;
    }

    public void publish(String body) throws Exception {
        channel.basicPublish("", queue, null, body.getBytes(StandardCharsets.US_ASCII));
    }

    public long messageCount() throws Exception {
        return channel.queueDeclarePassive(queue).getMessageCount();
    }

    @Override
    public void close() throws Exception {
        channel.queueDelete(queue);
        channel.queueDelete(queue + ".dead");
        connection.close();
    }
}
