package bench;

import java.sql.Connection;

/**
 * ERPMax drain: a worker instance runs against URL. Empties the job tables, inserts JOBS no-op
 * {@code echo} jobs in one transaction (with their outbox rows when OUTBOX is true: the relay
 * then publishes them to RabbitMQ), and times from the commit until all of them succeeded.
 */
final class ErpmaxDrain {

    private ErpmaxDrain() {
    }

    static void main(String[] args) throws Exception {
        String url = args[0];
        long jobs = Long.parseLong(args[1]);
        boolean outbox = Boolean.parseBoolean(args[2]);
        long timeout = Long.parseLong(args[3]);
        try (Connection connection = Pg.connect(url)) {
            Pg.execute(connection, "TRUNCATE jobs, job_outbox RESTART IDENTITY CASCADE");
            connection.setAutoCommit(false);
            if (outbox) {
                Pg.execute(connection, "WITH j AS (INSERT INTO jobs (type, payload) SELECT 'echo', '{}' FROM generate_series(1, " + jobs
                        + ") RETURNING id) INSERT INTO job_outbox (job_id) SELECT id FROM j ORDER BY id");
            } else {
                Pg.execute(connection, "INSERT INTO jobs (type, payload) SELECT 'echo', '{}' FROM generate_series(1, " + jobs + ")");
            }
            if (Pg.analyze()) {
                Pg.execute(connection, "ANALYZE jobs");
                Pg.execute(connection, "ANALYZE job_outbox");
            }
            connection.commit();
            long start = System.nanoTime();
            connection.setAutoCommit(true);
            long end = Pg.awaitCount(connection, "SELECT count(*) FROM jobs WHERE status = 'succeeded'", jobs, false, timeout, "erpmax");
            long other = Pg.count(connection, "SELECT count(*) FROM jobs WHERE status <> 'succeeded'");
            System.out.println(Pg.result(outbox ? "erpmax-amqp" : "erpmax-db", jobs, start, end, "not_succeeded=" + other));
        }
    }
}
