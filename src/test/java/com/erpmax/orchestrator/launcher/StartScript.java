package com.erpmax.orchestrator.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code payara/start.sh} run by a test: with only the given settings (no {@code ERPMAX_*} and no
 * {@code JAVA_OPTS} inherited from the build), a database URL that is never reached (so no
 * development database starts), its standard error kept, and stopped with everything it started if
 * it has not ended in time.
 */
final class StartScript {

    static final Path SCRIPT = Path.of(System.getProperty("erpmax.project.dir", "."))
            .toAbsolutePath().normalize().resolve("payara/start.sh");

    /** @param ended false if it was stopped at the time limit */
    record Run(int exitCode, String stderr, boolean ended) {
    }

    private StartScript() {
    }

    /** @param work where standard error is kept */
    static Run run(Path work, Map<String, String> settings, Duration limit) throws IOException, InterruptedException {
        Path stderr = work.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("ERPMAX_") || key.equals("JAVA_OPTS"));
        builder.environment().put("ERPMAX_DB_URL", "jdbc:postgresql://127.0.0.1:1/never-reached");
        builder.environment().putAll(settings);
        Process process = builder.start();
        boolean ended = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
        return new Run(process.exitValue(), Files.readString(stderr, StandardCharsets.UTF_8), ended);
    }
}
