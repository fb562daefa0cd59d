package bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Small JDBC helpers shared by the drain commands. */
final class Pg {

    private Pg() {
    }

    static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, "postgres", "");
    }

    static HikariDataSource pool(String url, int size, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("postgres");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setPoolName(name);
        config.addDataSourceProperty("ApplicationName", name);
        return new HikariDataSource(config);
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    static long count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /**
     * Polls {@code countSql} every 100 ms until it returns {@code target} (or, with {@code down},
     * falls to it). Returns the nanoTime at which it was first seen there; throws on timeout.
     */
    static long awaitCount(Connection connection, String countSql, long target, boolean down, long timeoutSeconds, String what)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        long lastLog = System.nanoTime();
        while (true) {
            long value = count(connection, countSql);
            long now = System.nanoTime();
            if (down ? value <= target : value >= target) {
                return now;
            }
            if (now > deadline) {
                throw new IllegalStateException(what + ": timed out after " + timeoutSeconds + " s at count " + value + " (want " + target + ")");
            }
            if (now - lastLog > 10_000_000_000L) {
                System.err.println("  " + what + ": count " + value + " (want " + target + ")");
                lastLog = now;
            }
            Thread.sleep(100);
        }
    }

    /**
     * BENCH_ANALYZE=1: the drains ANALYZE the freshly filled queue table inside the inserting
     * transaction, so the engine's queries are planned with statistics from the first claim on
     * (otherwise a table filled in one transaction has none until autovacuum gets to it).
     */
    static boolean analyze() {
        return "1".equals(System.getenv("BENCH_ANALYZE"));
    }

    static String result(String engine, long jobs, long startNanos, long endNanos, String extra) {
        double seconds = (endNanos - startNanos) / 1e9;
        return String.format("RESULT engine=%s jobs=%d seconds=%.3f jobs_per_s=%.1f%s", engine, jobs, seconds, jobs / seconds,
                extra.isEmpty() ? "" : " " + extra);
    }
}
