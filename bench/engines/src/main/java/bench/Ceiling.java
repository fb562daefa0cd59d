package bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling: a plain JDBC claim loop on ERPMax's own {@code jobs} table. Each transaction claims
 * up to BATCH queued rows with {@code FOR UPDATE SKIP LOCKED}, "runs" them (no-op) and marks
 * them succeeded, then commits: the least work a PostgreSQL queue can do per job.
 */
final class Ceiling {

    private static final String CLAIM = "SELECT id FROM jobs WHERE status = 'queued' AND run_at <= now()"
            + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED";
    private static final String DONE = "UPDATE jobs SET status = 'succeeded', attempts = attempts + 1, started_at = now(),"
            + " finished_at = now(), updated_at = now() WHERE id = ANY (?)";

    private Ceiling() {
    }

    static void main(String[] args) throws Exception {
        String url = args[0];
        long jobs = Long.parseLong(args[1]);
        int batch = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        long timeout = Long.parseLong(args[4]);
        try (Connection connection = Pg.connect(url)) {
            Pg.execute(connection, "TRUNCATE jobs, job_outbox RESTART IDENTITY CASCADE");
            Pg.execute(connection, "INSERT INTO jobs (type, payload) SELECT 'echo', '{}' FROM generate_series(1, " + jobs + ")");
            Pg.execute(connection, "VACUUM ANALYZE jobs");
        }
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Connection c = Pg.connect(url);
            c.setAutoCommit(false);
            connections.add(c);
        }
        AtomicLong done = new AtomicLong();
        long deadline = System.nanoTime() + timeout * 1_000_000_000L;
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (Connection c : connections) {
            Thread t = new Thread(() -> loop(c, batch, done, deadline));
            workers.add(t);
            t.start();
        }
        for (Thread t : workers) {
            t.join();
        }
        long end = System.nanoTime();
        for (Connection c : connections) {
            c.close();
        }
        if (done.get() != jobs) {
            throw new IllegalStateException("ceiling: finished " + done.get() + " of " + jobs);
        }
        System.out.println(Pg.result("ceiling-" + batch, jobs, start, end, "threads=" + threads));
    }

    private static void loop(Connection c, int batch, AtomicLong done, long deadline) {
        try (PreparedStatement claim = c.prepareStatement(CLAIM); PreparedStatement finish = c.prepareStatement(DONE)) {
            claim.setInt(1, batch);
            while (System.nanoTime() < deadline) {
                List<Long> ids = new ArrayList<>(batch);
                try (ResultSet rows = claim.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong(1));
                    }
                }
                if (ids.isEmpty()) {
                    c.commit();
                    return;
                }
                Array array = c.createArrayOf("bigint", ids.toArray());
                finish.setArray(1, array);
                finish.executeUpdate();
                c.commit();
                done.addAndGet(ids.size());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
