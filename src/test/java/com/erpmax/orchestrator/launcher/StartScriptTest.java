package com.erpmax.orchestrator.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code payara/start.sh} refuses before it starts anything: a message on stderr naming the
 * setting, a non-zero exit code, and nothing created. No JVM is started by these runs.
 */
class StartScriptTest {

    private static final Path SCRIPT = Path.of(System.getProperty("erpmax.project.dir", "."))
            .toAbsolutePath().normalize().resolve("payara/start.sh");

    @TempDir
    Path work;

    @Test
    void refusesAPortThatIsNotANumber() throws Exception {
        Run run = run(Map.of("ERPMAX_HTTP_PORT", "eighty"));

        assertEquals(1, run.exitCode(), run.stderr());
        assertEquals("start.sh: ERPMAX_HTTP_PORT must be a port number, not 'eighty'\n", run.stderr());
    }

    @Test
    void refusesARootDirectoryWithAColonAndCreatesNothing() throws Exception {
        Path rootdir = work.resolve("payara:root/here");

        Run run = run(Map.of("ERPMAX_PAYARA_ROOTDIR", rootdir.toString()));

        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(run.stderr().contains("the root directory (ERPMAX_PAYARA_ROOTDIR) is '" + rootdir + "'"), run.stderr());
        assertTrue(run.stderr().contains("a path with ':' cannot go on the JVM's class path"), run.stderr());
        assertFalse(Files.exists(rootdir.getParent()), "nothing created");
    }

    @Test
    void saysWhatIsNotBuiltAndHowToBuildIt() throws Exception {
        Path war = work.resolve("missing.war");

        Run run = run(Map.of("ERPMAX_WAR", war.toString()));

        assertEquals(2, run.exitCode(), run.stderr());
        assertTrue(run.stderr().startsWith("start.sh: not built: " + war), run.stderr());
        assertTrue(run.stderr().contains("./mvnw -B package -DskipTests"), run.stderr());
    }

    /**
     * start.sh with only the given settings (none inherited), a database URL (so no development
     * database starts) and a root directory of its own. A start.sh that got past its checks would
     * start Micro: it is stopped after 30 s and the test fails.
     */
    private Run run(Map<String, String> settings) throws IOException, InterruptedException {
        Path stderr = work.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("ERPMAX_"));
        builder.environment().put("ERPMAX_DB_URL", "jdbc:postgresql://127.0.0.1:1/never-reached");
        builder.environment().put("ERPMAX_PAYARA_ROOTDIR", work.resolve("root").toString());
        builder.environment().putAll(settings);
        Process process = builder.start();
        boolean ended = process.waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
        String message = Files.readString(stderr, StandardCharsets.UTF_8);
        assertTrue(ended, "start.sh refused within 30 s; it went on:\n" + message);
        return new Run(process.exitValue(), message);
    }

    private record Run(int exitCode, String stderr) {
    }
}
