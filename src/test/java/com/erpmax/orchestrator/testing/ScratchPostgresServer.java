package com.erpmax.orchestrator.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own, from the machine's PostgreSQL binaries, for what the shared
 * server cannot be made to do: listen on another address. Runs as the {@code postgres} user
 * (PostgreSQL refuses root), trusts every local connection, and is deleted on close.
 */
public final class ScratchPostgresServer implements AutoCloseable {

    private static final Path BINARIES = Path.of("/usr/lib/postgresql");

    private final Path bin;
    private final Path directory;
    private final int port;

    private ScratchPostgresServer(Path bin, Path directory, int port) {
        this.bin = bin;
        this.directory = directory;
        this.port = port;
    }

    /** Why this machine cannot run one, or null when it can. */
    public static String unavailableBecause() {
        if (binaries().isEmpty()) {
            return "no PostgreSQL server binaries under " + BINARIES;
        }
        try {
            run("runuser", "-u", "postgres", "--", "true");
            return null;
        } catch (IOException e) {
            return "cannot run a command as the postgres user: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Listens on 127.0.0.1 and on {@code address}, trusting {@code trustedSubnet} (CIDR) too. */
    public static ScratchPostgresServer start(String address, String trustedSubnet) throws IOException, InterruptedException {
        Path bin = binaries().orElseThrow(() -> new IOException(unavailableBecause()));
        Path directory = Files.createTempDirectory("erpmax-scratch-pg");
        ScratchPostgresServer server = new ScratchPostgresServer(bin, directory, freePort());
        try {
            run("chown", "postgres", directory.toString());
            server.pgCommand("initdb", "-D", server.data(), "-A", "trust", "-U", "postgres", "--no-sync");
            Files.writeString(directory.resolve("data/pg_hba.conf"), "host all all " + trustedSubnet + " trust\n",
                    StandardOpenOption.APPEND);
            server.pgCommand("pg_ctl", "-D", server.data(), "-l", directory.resolve("server.log").toString(), "-w",
                    "-o", "-c listen_addresses=127.0.0.1," + address + " -c port=" + server.port + " -k " + directory, "start");
        } catch (IOException | RuntimeException e) {
            try {
                server.close();
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
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
        List<String> command = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", bin.resolve(program).toString()));
        command.addAll(List.of(args));
        run(command.toArray(String[]::new));
    }

    /** Runs a command to its end (60 s at most); its output, to a file, goes into the error when it fails. */
    private static void run(String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("erpmax-scratch-pg", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean ended = process.waitFor(60, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly();
            }
            if (!ended || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + (ended ? " failed: " : " did not end in 60 s: ")
                        + Files.readString(output, StandardCharsets.UTF_8).strip());
            }
        } finally {
            Files.deleteIfExists(output);
        }
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
