package com.erpmax.orchestrator.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

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

    /** A zip of name/content pairs; a null content makes a directory entry. */
    private Path war(String name, String... entries) throws IOException {
        Path war = work.resolve(name);
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(war))) {
            for (int i = 0; i < entries.length; i += 2) {
                out.putNextEntry(new ZipEntry(entries[i]));
                if (entries[i + 1] != null) {
                    out.write(entries[i + 1].getBytes(StandardCharsets.UTF_8));
                }
                out.closeEntry();
            }
        }
        return war;
    }
}
