package bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.time.Duration;

/**
 * db-scheduler drain: a scheduler with THREADS executor threads and the lock-and-fetch polling
 * strategy (one {@code UPDATE ... FOR UPDATE SKIP LOCKED ... RETURNING} picks a batch of
 * LOWER..UPPER x threads) runs a no-op one-time task. JOBS executions are inserted in one
 * transaction (as db-scheduler's own insert would write them); timed from the commit until the
 * table is empty (a completed one-time execution is deleted). A WARMUP batch runs first, untimed.
 */
final class DbSchedulerDrain {

    private static final String DDL = """
            CREATE TABLE IF NOT EXISTS scheduled_tasks (
              task_name text NOT NULL,
              task_instance text NOT NULL,
              task_data bytea,
              execution_time timestamp with time zone NOT NULL,
              picked boolean NOT NULL,
              picked_by text,
              last_success timestamp with time zone,
              last_failure timestamp with time zone,
              consecutive_failures int,
              last_heartbeat timestamp with time zone,
              version bigint NOT NULL,
              priority smallint,
              PRIMARY KEY (task_name, task_instance));
            CREATE INDEX IF NOT EXISTS execution_time_idx ON scheduled_tasks (execution_time);
            CREATE INDEX IF NOT EXISTS last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
            CREATE INDEX IF NOT EXISTS priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);
            """;

    private DbSchedulerDrain() {
    }

    static void main(String[] args) throws Exception {
        String url = args[0];
        long jobs = Long.parseLong(args[1]);
        long warmup = Long.parseLong(args[2]);
        int threads = Integer.parseInt(args[3]);
        double lower = Double.parseDouble(args[4]);
        double upper = Double.parseDouble(args[5]);
        long pollMillis = Long.parseLong(args[6]);
        long timeout = Long.parseLong(args[7]);

        try (Connection connection = Pg.connect(url)) {
            Pg.execute(connection, DDL);
            Pg.execute(connection, "TRUNCATE scheduled_tasks");
        }
        OneTimeTask<Void> noop = Tasks.oneTime("noop").execute((instance, context) -> {
        });
        try (HikariDataSource pool = Pg.pool(url, threads + 4, "db-scheduler-bench")) {
            Scheduler scheduler = Scheduler.create(pool, noop)
                    .threads(threads)
                    .pollUsingLockAndFetch(lower, upper)
                    .pollingInterval(Duration.ofMillis(pollMillis))
                    .build();
            scheduler.start();
            try (Connection connection = Pg.connect(url)) {
                if (warmup > 0) {
                    insert(connection, "w", warmup);
                    Pg.awaitCount(connection, "SELECT count(*) FROM scheduled_tasks", 0, true, timeout, "db-scheduler warm-up");
                }
                connection.setAutoCommit(false);
                insert(connection, "r", jobs);
                if (Pg.analyze()) {
                    Pg.execute(connection, "ANALYZE scheduled_tasks");
                }
                connection.commit();
                long start = System.nanoTime();
                connection.setAutoCommit(true);
                long end = Pg.awaitCount(connection, "SELECT count(*) FROM scheduled_tasks", 0, true, timeout, "db-scheduler");
                System.out.println(Pg.result("db-scheduler", jobs, start, end,
                        String.format("threads=%d lock_and_fetch=%.2f..%.2f poll_ms=%d", threads, lower, upper, pollMillis)));
            } finally {
                scheduler.stop();
            }
        }
    }

    private static void insert(Connection connection, String prefix, long count) throws Exception {
        Pg.execute(connection, "INSERT INTO scheduled_tasks (task_name, task_instance, task_data, execution_time, picked, version, priority)"
                + " SELECT 'noop', '" + prefix + "' || i, NULL, now(), false, 1, 0 FROM generate_series(1, " + count + ") i");
    }
}
