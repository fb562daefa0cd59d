package com.erpmax.orchestrator.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own, from the machine's PostgreSQL binaries, for what the shared
 * server cannot be made to do: listen on another address. Runs as the {@code postgres} user
 * (PostgreSQL refuses root), trusts every local connection, and is deleted on close.
 */
public final class ScratchPostgresServer implements AutoCloseable {

    /** The server's superuser, which initdb makes; trusted from every address it listens on. */
    public static final String USER = "postgres";
    private static final Path BINARIES = Path.of("/usr/lib/postgresql");

    private final Path bin;
    private final Path directory;
    private final int port;

    private ScratchPostgresServer(Path bin, Path directory, int port) {
        this.bin = bin;
        this.directory = directory;
        this.port = port;
    }

    /** Skips the calling test, saying why, where this machine cannot run one. */
    public static void assumeAvailable() {
        String why = unavailableBecause();
        Assumptions.assumeTrue(why == null, why);
    }

    /** Why this machine cannot run one, or null when it can. */
    static String unavailableBecause() {
        if (binaries().isEmpty()) {
            return "no PostgreSQL server binaries under " + BINARIES;
        }
        String whyNot = Command.whyNot("runuser", "-u", "postgres", "--", "true");
        return whyNot == null ? null : "cannot run a command as the postgres user: " + whyNot;
    }

    /** Listens on 127.0.0.1 and on {@code address}, trusting {@code trustedSubnet} (CIDR) too. */
    public static ScratchPostgresServer start(String address, String trustedSubnet) throws IOException, InterruptedException {
        return start(address, trustedSubnet, List::copyOf);
    }

    /** Runs on the isolated host, listening on its address and trusting this machine. */
    public static ScratchPostgresServer startOn(IsolatedHost host) throws IOException, InterruptedException {
        return start(host.address(), host.localAddress() + "/32", host::onThisHost);
    }

    private static ScratchPostgresServer start(String address, String trustedSubnet, UnaryOperator<List<String>> where)
            throws IOException, InterruptedException {
        Path bin = binaries().orElseThrow(() -> new IOException(unavailableBecause()));
        Path directory = Files.createTempDirectory("erpmax-scratch-pg");
        ScratchPostgresServer server = new ScratchPostgresServer(bin, directory, freePort());
        try {
            Command.run("chown", "postgres", directory.toString());
            server.pgCommand("initdb", "-D", server.data(), "-A", "trust", "-U", USER, "--no-sync");
            Files.writeString(directory.resolve("data/pg_hba.conf"), "host all all " + trustedSubnet + " trust\n",
                    StandardOpenOption.APPEND);
            Command.run(where.apply(server.pgCommandLine("pg_ctl", "-D", server.data(), "-l",
                    directory.resolve("server.log").toString(), "-w", "-o",
                    "-c listen_addresses=127.0.0.1," + address + " -c port=" + server.port + " -k " + directory, "start"))
                    .toArray(String[]::new));
        } catch (IOException e) {
            throw Command.closeAfter(e, server);
        } catch (RuntimeException e) {
            throw Command.closeAfter(e, server);
        }
        return server;
    }

    public String url(String host) {
        return "jdbc:postgresql://" + host + ":" + port + "/postgres";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (Files.exists(directory.resolve("data/postmaster.pid"))) {
                pgCommand("pg_ctl", "-D", data(), "-m", "immediate", "-w", "stop");
            }
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private String data() {
        return directory.resolve("data").toString();
    }

    private void pgCommand(String program, String... args) throws IOException, InterruptedException {
        Command.run(pgCommandLine(program, args).toArray(String[]::new));
    }

    private List<String> pgCommandLine(String program, String... args) {
        List<String> command = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", bin.resolve(program).toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** The newest installed major version's bin directory. */
    private static Optional<Path> binaries() {
        if (!Files.isDirectory(BINARIES)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(BINARIES)) {
            return versions.map(version -> version.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("pg_ctl")) && Files.isExecutable(bin.resolve("initdb")))
                    .max(Comparator.comparing(bin -> majorVersion(bin.getParent())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int majorVersion(Path versionDirectory) {
        try {
            return Integer.parseInt(versionDirectory.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
