package com.erpmax.orchestrator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code java -jar target/erpmax-migrate.jar ...}, as an operator or the migration container runs it. */
public final class MigratorProcess {

    private static final Path PROJECT = Path.of(System.getProperty("erpmax.project.dir", ".")).toAbsolutePath().normalize();

    /** What one run printed and returned. */
    public record Result(int exitCode, String out, String err, long millis) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private MigratorProcess() {
    }

    public static Process start(Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", PROJECT.resolve("target/erpmax-migrate.jar").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(key -> key.startsWith("ERPMAX_"));
        builder.environment().putAll(environment);
        return builder.start();
    }

    public static Result run(Map<String, String> environment, String... args) throws Exception {
        long start = System.nanoTime();
        Process process = start(environment, args);
        process.getOutputStream().close();
        var out = process.getInputStream();
        var err = process.getErrorStream();
        var errText = new java.util.concurrent.CompletableFuture<String>();
        Thread errReader = new Thread(() -> {
            try {
                errText.complete(new String(err.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                errText.complete("");
            }
        });
        errReader.start();
        String outText = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("migrator " + List.of(args) + " did not finish");
        }
        return new Result(process.exitValue(), outText, errText.get(10, TimeUnit.SECONDS), (System.nanoTime() - start) / 1_000_000);
    }
}
