package com.erpmax.orchestrator.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A root directory that moved (a checkout moved, a directory restored elsewhere) keeps its AppCDS
 * archive, which records its class path's jars by path, and which JDK 17 then no longer maps.
 * start.sh must notice, discard it and have the boot write a new one, however many times the
 * directory moves, rather than boot without it, with only the JVM's warning, for good.
 * <p>
 * The JDK start.sh sees is a stand-in that runs the real {@code java} for every step start.sh takes
 * (preparing the directory, checking the archive) and records the arguments of the boot itself
 * instead of starting Payara Micro: the archive check is the real JVM's.
 */
class MovedRootDirectoryIT {

    private static final Path REAL_JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private static final String LAUNCHER_MAIN = "com.erpmax.orchestrator.launcher.MicroLauncher";

    @TempDir
    Path work;

    @Test
    void aRootDirectoryThatMovesKeepsGettingAnArchiveThatMaps() throws Exception {
        Path jdk = standInJdk();
        Path rootdir = work.resolve("place-0/root");
        Boot first = boot(jdk, rootdir);
        assertEquals(0, first.exitCode(), first.stderr());

        // Four moves: a directory's life may see several, and each must end with a new archive.
        for (int move = 1; move <= 4; move++) {
            writeArchiveFor(rootdir);
            Boot withArchive = boot(jdk, rootdir);
            assertEquals(0, withArchive.exitCode(), withArchive.stderr());
            assertTrue(withArchive.arguments().contains("-XX:SharedArchiveFile=" + rootdir.resolve("appcds.jsa")),
                    "the archive is used where it was written: " + withArchive.arguments());

            Path moved = work.resolve("place-" + move + "/root");
            Files.createDirectories(moved.getParent());
            Files.move(rootdir, moved);
            rootdir = moved;
            Path archive = rootdir.resolve("appcds.jsa");
            boolean maps = mapsThere(rootdir);
            if (Runtime.version().feature() < 20) {
                assertFalse(maps, "JDK 17 maps an archive only on the class path it was written with");
            }
            Boot afterMove = boot(jdk, rootdir);

            assertEquals(0, afterMove.exitCode(), afterMove.stderr());
            if (maps) { // JDK 20 and later accept a class path moved as a whole
                assertTrue(afterMove.arguments().contains("-XX:SharedArchiveFile=" + archive), afterMove.arguments().toString());
                continue;
            }
            assertTrue(afterMove.stderr().contains("start.sh: discarding the unusable AppCDS archive " + archive),
                    "move " + move + ": " + afterMove.stderr());
            assertFalse(Files.exists(archive), "the archive that no longer maps is deleted");
            assertFalse(afterMove.arguments().stream().anyMatch(argument -> argument.startsWith("-XX:SharedArchiveFile=")),
                    "the boot does not map it: " + afterMove.arguments());
            assertTrue(afterMove.arguments().contains("-XX:ArchiveClassesAtExit=" + archive),
                    "move " + move + ": this boot writes a new archive as it exits: " + afterMove.arguments() + "\n" + afterMove.stderr());
        }
    }

    /** A JAVA_HOME whose bin/java is the real one for everything but the boot, whose arguments it writes down. */
    private Path standInJdk() throws IOException {
        Path java = work.resolve("jdk/bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, """
                #!/bin/sh
                for argument in "$@"; do
                    if [ "$argument" = %s ]; then
                        printf '%%s\\n' "$@" >"$BOOT_ARGUMENTS"
                        exit 0
                    fi
                done
                exec '%s' "$@"
                """.formatted(LAUNCHER_MAIN, REAL_JAVA));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return java.getParent().getParent();
    }

    /** The archive a boot's JVM writes as it exits, made here by a short run on the root directory's class path. */
    private static void writeArchiveFor(Path rootdir) throws IOException, InterruptedException {
        Path archive = rootdir.resolve("appcds.jsa");
        assertEquals(0, java("the archive's dump", "-XX:ArchiveClassesAtExit=" + archive, "-cp", classPath(rootdir),
                ManifestModuleOptions.class.getName(), rootdir.resolve("launch-micro.jar").toString()));
        assertTrue(Files.size(archive) > 0, "an archive was written");
    }

    /** Whether the JVM maps the directory's archive on the directory's own class path: start.sh's check, run here. */
    private static boolean mapsThere(Path rootdir) throws IOException, InterruptedException {
        return java("the archive's check", "-Xshare:on", "-XX:SharedArchiveFile=" + rootdir.resolve("appcds.jsa"),
                "-cp", classPath(rootdir), "-version") == 0;
    }

    /** The real java with these arguments, its output dropped: its exit code. */
    private static int java(String what, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(REAL_JAVA.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            fail(what + " did not end within 60 s");
        }
        return process.exitValue();
    }

    private static String classPath(Path rootdir) {
        return rootdir.resolve("launch-micro.jar") + ":" + rootdir.resolve("erpmax-launcher.jar");
    }

    private Boot boot(Path jdk, Path rootdir) throws IOException, InterruptedException {
        Path arguments = work.resolve("arguments.txt");
        Files.deleteIfExists(arguments);
        StartScript.Run run = StartScript.run(work, Map.of("JAVA_HOME", jdk.toString(), "BOOT_ARGUMENTS", arguments.toString(),
                "ERPMAX_PAYARA_ROOTDIR", rootdir.toString()), Duration.ofSeconds(180));
        List<String> recorded = Files.exists(arguments) ? Files.readAllLines(arguments, StandardCharsets.UTF_8) : List.of();
        return new Boot(run.exitCode(), run.stderr(), recorded);
    }

    private record Boot(int exitCode, String stderr, List<String> arguments) {
    }
}
