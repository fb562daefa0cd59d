package com.erpmax.orchestrator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Machine commands run by the test helpers that set up hosts and servers of their own (as root). */
final class Command {

    private static final int TIME_LIMIT_S = 60;

    private Command() {
    }

    /** Its output; a non-zero exit, or no end within 60 s, fails with the output. */
    static String run(String... command) throws IOException, InterruptedException {
        Result result = execute(command);
        if (result.exitCode != 0) {
            throw new IOException(String.join(" ", command) + ": exit " + result.exitCode + ": " + result.output.strip());
        }
        return result.output;
    }

    /** Its output, whatever its exit: for removing what may not be there. */
    static String runIgnoringFailure(String... command) throws IOException, InterruptedException {
        return execute(command).output;
    }

    /** Null when the command succeeds, else why it did not: for a test that must be skipped, saying why. */
    static String whyNot(String... command) {
        try {
            run(command);
            return null;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Undoes a half-made set-up; what goes wrong then is attached to the failure that caused it. */
    static <E extends Exception> E closeAfter(E failure, AutoCloseable halfMade) {
        try {
            halfMade.close();
        } catch (Exception cleanup) {
            failure.addSuppressed(cleanup);
        }
        return failure;
    }

    private record Result(int exitCode, String output) {
    }

    private static Result execute(String... command) throws IOException, InterruptedException {
        // Output to a file, not a pipe: a command that writes much cannot block on it.
        Path output = Files.createTempFile("erpmax-command", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(TIME_LIMIT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no end within " + TIME_LIMIT_S + " s");
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
