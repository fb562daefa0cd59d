package com.erpmax.orchestrator.launcher;

import com.erpmax.orchestrator.testing.TestArchives;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnpackedWarTest {

    @TempDir
    Path work;

    @Test
    void unpacksEveryEntryWithItsBytes() throws IOException {
        Path war = war("erpmax.war", "WEB-INF/", null, "WEB-INF/classes/a/B.class", "bytes", "WEB-INF/classpath/x.lib", "lib");

        UnpackedWar.unpack(war, work.resolve("erpmax"));

        assertEquals("bytes", Files.readString(work.resolve("erpmax/WEB-INF/classes/a/B.class")));
        assertEquals("lib", Files.readString(work.resolve("erpmax/WEB-INF/classpath/x.lib")));
    }

    @Test
    void refusesAnEntryOutsideTheDirectory() throws IOException {
        Path war = war("evil.war", "../escaped.txt", "x");

        assertThrows(IOException.class, () -> UnpackedWar.unpack(war, work.resolve("evil")));
        assertFalse(Files.exists(work.resolve("escaped.txt")));
    }

    @Test
    void aWarCutShortIsAnErrorNotAPartialDeployment() throws IOException {
        Path war = war("cut.war", "WEB-INF/classes/A.class", "a".repeat(10_000));
        byte[] bytes = Files.readAllBytes(war);
        Files.write(war, Arrays.copyOf(bytes, bytes.length / 2));

        assertThrows(IOException.class, () -> UnpackedWar.unpack(war, work.resolve("cut")));
        assertTrue(Files.isDirectory(work.resolve("cut")), "start.sh deletes the half-made directory and deploys the WAR itself");
    }

    private Path war(String name, String... namesAndContents) throws IOException {
        return TestArchives.zip(work.resolve(name), namesAndContents);
    }
}
