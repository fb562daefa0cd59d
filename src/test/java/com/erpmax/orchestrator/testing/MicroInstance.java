package com.erpmax.orchestrator.testing;

import com.erpmax.orchestrator.platform.control.Settings;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real WAR on Payara Micro, started the way an operator starts it: {@code payara/start.sh}
 * with configuration in the environment. Its console goes to {@code target/it-logs/NAME.log}.
 */
public final class MicroInstance implements AutoCloseable {

    private static final Path PROJECT = Path.of(System.getProperty("erpmax.project.dir", ".")).toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;
    private final Path rootDirectory;

    private MicroInstance(String name, int port, Process process, Path log, Path rootDirectory) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
        this.rootDirectory = rootDirectory;
    }

    /** Starts an instance; {@code environment} holds its ERPMAX_* settings. */
    public static MicroInstance start(String name, Map<String, String> environment) throws IOException {
        int port = freePort();
        Path logs = Files.createDirectories(PROJECT.resolve("target/it-logs"));
        Path log = logs.resolve(name + ".log");
        // SIGINT as a terminal gives it: a build started in the background by a script has it
        // ignored, and the instances would inherit that (a process keeps an ignored SIGINT ignored).
        ProcessBuilder builder = new ProcessBuilder("env", "--default-signal=INT",
                "bash", System.getProperty("erpmax.launcher", PROJECT.resolve("payara/start.sh").toString()))
                .directory(PROJECT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("ERPMAX_"));
        env.put("ERPMAX_HTTP_PORT", Integer.toString(port));
        env.put("ERPMAX_PAYARA_ROOTDIR", PROJECT.resolve("target/it-roots/" + name).toString());
        if (!TestDatabase.USER.equals(Settings.DEFAULT_DB_USER)) {
            env.put("ERPMAX_DB_USER", TestDatabase.USER);
        } // else the instances run on the default user, which is then tested too
        // C1 and the serial collector: boots in about half the CPU time; these instances live for seconds.
        env.put("ERPMAX_FAST_BOOT", "true");
        env.putAll(new HashMap<>(environment));
        return new MicroInstance(name, port, builder.start(), log, Path.of(env.get("ERPMAX_PAYARA_ROOTDIR")));
    }

    /** Micro's root directory, which payara/start.sh prepares: target/it-roots/NAME unless the test gave one. */
    public Path rootDirectory() {
        return rootDirectory;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public HttpReply get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public HttpReply postJson(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpReply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return new HttpReply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body(), response);
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Polls until the reply satisfies the condition; fails with the last reply and the log's tail. */
    public HttpReply await(String path, Predicate<HttpReply> condition, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        HttpReply last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " while waiting for " + path + "\n" + logTail());
            }
            try {
                last = get(path);
                if (condition.test(last)) {
                    return last;
                }
            } catch (IOException notListeningYet) {
                // Micro is still booting
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + ": " + path + " never matched within " + timeout + "; last reply: " + last + "\n" + logTail());
    }

    /** The application is deployed: its own liveness check answers. */
    public void awaitDeployed() throws Exception {
        await("/health/live", reply -> reply.status() == 200, Duration.ofSeconds(120));
    }

    public void awaitReady(Duration timeout) throws Exception {
        await("/health/ready", reply -> reply.status() == 200, timeout);
    }

    public boolean waitForExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int exitCode() {
        return process.exitValue();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    public String logTail() {
        try {
            String text = log();
            return text.substring(Math.max(0, text.length() - 6_000));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, as an orchestrator stops a container. */
    public void terminate() {
        process.destroy();
    }

    /**
     * Stops the instance with {@code signal} ({@code TERM} as an orchestrator sends it, {@code INT}
     * as Ctrl-C) and checks the stop every one of them gets: readiness DOWN, as DRAINING, within a
     * second; {@code servedPath} still answered during the shutdown delay; then exit code 0.
     */
    public void assertStopsLosslessly(String signal, String servedPath) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + process.pid());
        long sentAt = System.nanoTime();
        HttpReply draining = await("/health/ready", reply -> reply.status() == 503, Duration.ofSeconds(2));
        assertTrue(draining.body().contains("DRAINING"), draining.toString());
        assertTrue((System.nanoTime() - sentAt) / 1_000_000 < 1_000, "readiness went down at once");
        HttpReply stillServing = get(servedPath);
        assertEquals(200, stillServing.status(), "requests arriving during the delay are answered: " + stillServing);
        assertTrue(waitForExit(Duration.ofSeconds(30)), logTail());
        assertEquals(0, exitCode(), logTail());
        assertTrue(log().contains("SIG" + signal + ": not ready any more"), logTail());
    }

    public void kill() {
        process.destroyForcibly();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
