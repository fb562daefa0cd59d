package com.erpmax.orchestrator.schema.control;

import com.erpmax.orchestrator.platform.control.DirectConnections;
import com.erpmax.orchestrator.platform.control.SessionKeepalive;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.schema.entity.LockHolder;
import com.erpmax.orchestrator.testing.IsolatedHost;
import com.erpmax.orchestrator.testing.ScratchPostgresServer;
import com.erpmax.orchestrator.testing.TestDatabase;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lock holder whose host vanishes (power lost, network cut: no FIN, no RST) must not keep the
 * migration lock for the two hours of PostgreSQL's TCP defaults. The holder is a JVM on a host of
 * its own (a network namespace, {@link IsolatedHost}) that takes the lock with the product's
 * {@link MigrationLock} and {@link DirectConnections}; the database is a server of the test's own,
 * listening where that host reaches it. Its cable is cut while it holds the lock; a waiter on this
 * host must get the lock within {@link SessionKeepalive#PEER_GONE_AFTER_S} s and a margin.
 * Root only (namespaces); skipped elsewhere, with the reason.
 */
class VanishedLockHolderIT {

    private static final long KEY = 7_213_000_001L;
    private static final Duration MARGIN = Duration.ofSeconds(15);

    @Test
    void aHolderWhoseHostVanishedLosesTheLockSoonAfter() throws Exception {
        IsolatedHost.assumeAvailable();
        ScratchPostgresServer.assumeAvailable();

        try (IsolatedHost remote = IsolatedHost.create();
             ScratchPostgresServer server = ScratchPostgresServer.start(remote.localAddress(), remote.address() + "/32")) {
            Process holder = remote.process(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", testClassPath(), Holder.class.getName(), server.url(remote.localAddress()), Long.toString(KEY)))
                    .redirectErrorStream(true).start();
            try {
                awaitLine(holder, "locked");
                MigrationLock lock = new MigrationLock(connections(server.url("127.0.0.1"), "api"), KEY, Clock.systemUTC());
                List<Optional<LockHolder>> seen = new CopyOnWriteArrayList<>();

                remote.cutCable();
                long cutAt = System.nanoTime();
                String outcome = lock.withLock(Duration.ofSeconds(SessionKeepalive.PEER_GONE_AFTER_S).plus(MARGIN.multipliedBy(2)),
                        (who, waited) -> seen.add(who), () -> "migrated");
                Duration held = Duration.ofNanos(System.nanoTime() - cutAt);

                System.out.println("vanished holder's lock released " + held.toMillis() + " ms after its cable was cut");
                assertEquals("migrated", outcome);
                assertTrue(!seen.isEmpty() && seen.get(0).map(LockHolder::application).orElse("").startsWith("erpmax-migrator@"),
                        "while the holder's session lasted, the waiter named it: " + seen);
                assertTrue(held.compareTo(Duration.ofSeconds(SessionKeepalive.PEER_GONE_AFTER_S).plus(MARGIN)) <= 0,
                        "the lock came free " + held.toSeconds() + " s after the cut, later than "
                                + SessionKeepalive.PEER_GONE_AFTER_S + " s and a margin of " + MARGIN.toSeconds() + " s");
            } finally {
                holder.destroyForcibly();
                holder.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static DirectConnections connections(String url, String role) {
        Settings settings = TestDatabase.settings(url, ScratchPostgresServer.USER);
        return new DirectConnections(settings, role);
    }

    private static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static void awaitLine(Process process, String expected) throws Exception {
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        CompletableFuture<Boolean> found = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = output.readLine(); line != null; line = output.readLine()) {
                    seen.append(line).append('\n');
                    if (line.equals(expected)) {
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue(found.get(60, TimeUnit.SECONDS), "the holder never said '" + expected + "':\n" + seen);
    }

    /**
     * The holder, on the isolated host: takes the lock as the migrator does, says so, and keeps it
     * until its standard input ends, which it does when the test's JVM ends, however it ends.
     */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            MigrationLock lock = new MigrationLock(connections(args[0], "migrator"), Long.parseLong(args[1]), Clock.systemUTC());
            lock.withLock(Duration.ofSeconds(30), (who, waited) -> { }, () -> {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // holding
                }
                return null;
            });
        }
    }
}
