package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;
import com.erpmax.orchestrator.schema.entity.ChangeSetRef;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Applies pending changesets under the migration lock, printing progress. */
final class UpdateCommand implements Command {

    @Override
    public String name() {
        return "update";
    }

    @Override
    public String usage() {
        return "update [--labels EXPR] [--backup DIR]   apply pending changesets (--labels expand: the safe half);"
                + " --backup: pg_dump -Fc into DIR first";
    }

    @Override
    public Set<String> options() {
        return Set.of("labels", "backup");
    }

    @Override
    public int run(Arguments arguments, Migrator migrator, Output output) throws Exception {
        String labels = arguments.option("labels").orElse(null);
        List<Object> applied = output.list("applied");
        Optional<Path> backupDirectory = arguments.option("backup").map(Path::of);
        int count = migrator.underLock(() -> {
            try (Connection connection = migrator.connect()) {
                if (backupDirectory.isPresent() && !migrator.migrations().compare(connection).isCurrent()) {
                    Path backup = backup(migrator, backupDirectory.get());
                    output.put("backup", backup.toString());
                    output.line("backup: " + backup);
                }
                migrator.migrations().releaseStaleLiquibaseLock(connection).ifPresent(owner ->
                        output.line("released a stale Liquibase lock left by " + owner));
                return migrator.migrations().update(connection, labels, migrator.settings().ddlLockTimeout(),
                        migrator.settings().ddlRetries(), (done, total, changeSet, took) -> {
                            output.line("[" + done + "/" + total + "] " + changeSet.id() + " ... " + took.toMillis() + " ms");
                            applied.add(Map.of("id", changeSet.id(), "millis", took.toMillis()));
                        });
            }
        });
        output.put("count", count);
        output.line(count == 0 ? "schema is current: nothing to apply" : "applied " + count + " changeset(s)");
        return ExitCodes.OK;
    }

    /** Under the lock, so that nothing migrates between the backup and the update. */
    private static Path backup(Migrator migrator, Path directory) throws Exception {
        PostgresTools tools = new PostgresTools(migrator.settings());
        Files.createDirectories(directory);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path file = directory.resolve(tools.database() + "-" + stamp + ".dump");
        tools.dump(file);
        return file;
    }

    static String describe(ChangeSetRef changeSet) {
        return changeSet.id() + " (" + changeSet.file() + ")";
    }
}
