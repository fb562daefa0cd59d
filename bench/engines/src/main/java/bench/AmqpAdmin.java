package bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;

/** Deletes the benchmark's own RabbitMQ queues (missing ones are fine). */
final class AmqpAdmin {

    private AmqpAdmin() {
    }

    static void delete(String[] args) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(args[0]);
        try (com.rabbitmq.client.Connection connection = factory.newConnection("erpmax-bench-admin")) {
            for (int i = 1; i < args.length; i++) {
                try (Channel channel = connection.createChannel()) {
                    channel.queueDelete(args[i]);
                    System.err.println("deleted queue " + args[i]);
                } catch (Exception e) {
                    System.err.println("queue " + args[i] + ": " + e.getMessage());
                }
            }
        }
    }
}
