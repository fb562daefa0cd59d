package com.erpmax.orchestrator.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A root directory that moved (a checkout moved, a directory restored elsewhere) keeps its AppCDS
 * archive, which records its class path's jars by path and so no longer maps there. start.sh must
 * notice, discard it and have the next boots write a new one, rather than boot without it, with
 * only the JVM's warning, for good.
 * <p>
 * The JDK start.sh sees is a stand-in that runs the real {@code java} for every step start.sh takes
 * (preparing the directory, checking the archive) and records the arguments of the boot itself
 * instead of starting Payara Micro: the archive check is the real JVM's.
 */
class MovedRootDirectoryIT {

    private static final Path PROJECT = Path.of(System.getProperty("erpmax.project.dir", ".")).toAbsolutePath().normalize();
    private static final Path SCRIPT = PROJECT.resolve("payara/start.sh");
    private static final Path REAL_JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private static final String LAUNCHER_MAIN = "com.erpmax.orchestrator.launcher.MicroLauncher";

    @TempDir
    Path work;

    @Test
    void anArchiveThatNoLongerMapsAfterAMoveIsDiscardedAndWrittenAgain() throws Exception {
        Path jdk = standInJdk();
        Path before = work.resolve("before/root");
        Path after = work.resolve("after/root");

        Boot first = boot(jdk, before);
        assertEquals(0, first.exitCode(), first.stderr());
        writeArchiveFor(before);

        Boot withArchive = boot(jdk, before);
        assertEquals(0, withArchive.exitCode(), withArchive.stderr());
        assertTrue(withArchive.arguments().contains("-XX:SharedArchiveFile=" + before.resolve("appcds.jsa")),
                "the archive is used where it was written: " + withArchive.arguments());

        Files.createDirectories(after.getParent());
        Files.move(before, after);
        Boot moved = boot(jdk, after);

        assertEquals(0, moved.exitCode(), moved.stderr());
        assertTrue(moved.stderr().contains("start.sh: discarding the unusable AppCDS archive " + after.resolve("appcds.jsa")),
                moved.stderr());
        assertFalse(Files.exists(after.resolve("appcds.jsa")), "the archive that no longer maps is deleted");
        assertFalse(moved.arguments().stream().anyMatch(argument -> argument.startsWith("-XX:SharedArchiveFile=")),
                "the boot does not map it: " + moved.arguments());
        assertTrue(moved.arguments().contains("-XX:ArchiveClassesAtExit=" + after.resolve("appcds.jsa")),
                "this boot writes a new archive as it exits: " + moved.arguments());
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
        Process dump = new ProcessBuilder(REAL_JAVA.toString(), "-XX:ArchiveClassesAtExit=" + archive,
                "-cp", rootdir.resolve("launch-micro.jar") + ":" + rootdir.resolve("erpmax-launcher.jar"),
                ManifestModuleOptions.class.getName(), rootdir.resolve("launch-micro.jar").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(dump.waitFor(60, TimeUnit.SECONDS), "the dump ended");
        assertEquals(0, dump.exitValue());
        assertTrue(Files.size(archive) > 0, "an archive was written");
    }

    private Boot boot(Path jdk, Path rootdir) throws IOException, InterruptedException {
        Path stderr = work.resolve("stderr.txt");
        Path arguments = work.resolve("arguments.txt");
        Files.deleteIfExists(arguments);
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("ERPMAX_") || key.equals("JAVA_OPTS"));
        builder.environment().put("JAVA_HOME", jdk.toString());
        builder.environment().put("BOOT_ARGUMENTS", arguments.toString());
        builder.environment().put("ERPMAX_DB_URL", "jdbc:postgresql://127.0.0.1:1/never-reached");
        builder.environment().put("ERPMAX_PAYARA_ROOTDIR", rootdir.toString());
        Process process = builder.start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
        List<String> recorded = Files.exists(arguments) ? Files.readAllLines(arguments, StandardCharsets.UTF_8) : List.of();
        return new Boot(process.exitValue(), Files.readString(stderr, StandardCharsets.UTF_8), recorded);
    }

    private record Boot(int exitCode, String stderr, List<String> arguments) {
    }
}
