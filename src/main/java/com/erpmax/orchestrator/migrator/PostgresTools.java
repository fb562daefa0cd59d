package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.platform.entity.ExitCodes;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs PostgreSQL's own client tools ({@code pg_dump}, {@code pg_restore}) against the
 * configured database. The password goes through {@code PGPASSWORD} in the child's
 * environment, never on a command line that {@code ps} would show.
 */
final class PostgresTools {

    private final String host;
    private final String port;
    private final String database;
    private final Settings settings;

    PostgresTools(Settings settings) throws MigratorException {
        this.settings = settings;
        String url = settings.databaseUrlRequired();
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new MigratorException(ExitCodes.USAGE, "backups need a jdbc:postgresql://host:port/database URL");
        }
        URI uri = URI.create(url.substring("jdbc:".length()));
        this.host = uri.getHost() == null ? "localhost" : uri.getHost();
        this.port = uri.getPort() < 0 ? "5432" : Integer.toString(uri.getPort());
        this.database = uri.getPath().replaceFirst("^/", "");
    }

    String database() {
        return database;
    }

    /** {@code pg_dump -Fc} into the file; fails (exit code 1) with pg_dump's own message. */
    void dump(Path file) throws Exception {
        run(List.of("pg_dump", "--format=custom", "--no-password", "--file=" + file, "--dbname=" + database), "pg_dump");
    }

    /** Restores a custom-format dump over the database: drops what it restores first, all or nothing. */
    void restore(Path file) throws Exception {
        run(List.of("pg_restore", "--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-password",
                "--dbname=" + database, file.toString()), "pg_restore");
    }

    private void run(List<String> command, String tool) throws Exception {
        List<String> full = new ArrayList<>(command);
        full.addAll(1, List.of("--host=" + host, "--port=" + port, "--username=" + settings.databaseUser()));
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        settings.databasePassword().ifPresentOrElse(password -> environment.put("PGPASSWORD", password),
                () -> environment.remove("PGPASSWORD"));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new MigratorException(ExitCodes.FAILED, tool + " is not installed or not on the PATH (" + e.getMessage() + ")");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(1, TimeUnit.HOURS) || process.exitValue() != 0) {
            throw new MigratorException(ExitCodes.FAILED, tool + " failed: " + (output.isEmpty() ? "exit code " + process.exitValue() : output));
        }
    }
}
