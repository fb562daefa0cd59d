package com.erpmax.orchestrator.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code payara/start.sh} refuses before it starts anything: a message on stderr naming the
 * setting, a non-zero exit code, and nothing created. No JVM is started by these runs.
 */
class StartScriptTest {

    @TempDir
    Path work;

    @Test
    void refusesAPortThatIsNotANumber() throws Exception {
        StartScript.Run run = run(Map.of("ERPMAX_HTTP_PORT", "eighty"));

        assertEquals(1, run.exitCode(), run.stderr());
        assertEquals("start.sh: ERPMAX_HTTP_PORT must be a port number, not 'eighty'\n", run.stderr());
    }

    @Test
    void refusesARootDirectoryWithAColonAndCreatesNothing() throws Exception {
        Path rootdir = work.resolve("payara:root/here");

        StartScript.Run run = run(Map.of("ERPMAX_PAYARA_ROOTDIR", rootdir.toString()));

        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(run.stderr().contains("the root directory (ERPMAX_PAYARA_ROOTDIR) is '" + rootdir + "'"), run.stderr());
        assertTrue(run.stderr().contains("a path with ':' cannot go on the JVM's class path"), run.stderr());
        assertFalse(Files.exists(rootdir.getParent()), "nothing created");
    }

    @Test
    void saysWhatIsNotBuiltAndHowToBuildIt() throws Exception {
        Path war = work.resolve("missing.war");

        StartScript.Run run = run(Map.of("ERPMAX_WAR", war.toString()));

        assertEquals(2, run.exitCode(), run.stderr());
        assertTrue(run.stderr().startsWith("start.sh: not built: " + war), run.stderr());
        assertTrue(run.stderr().contains("./mvnw -B package -DskipTests"), run.stderr());
    }

    /**
     * start.sh with its own root directory besides the given settings. A start.sh that got past
     * its checks would start Micro: it is stopped after 30 s and the test fails.
     */
    private StartScript.Run run(Map<String, String> settings) throws IOException, InterruptedException {
        Map<String, String> environment = new HashMap<>(Map.of("ERPMAX_PAYARA_ROOTDIR", work.resolve("root").toString()));
        environment.putAll(settings);
        StartScript.Run run = StartScript.run(work, environment, Duration.ofSeconds(30));
        assertTrue(run.ended(), "start.sh refused within 30 s; it went on:\n" + run.stderr());
        return run;
    }
}
