package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;

import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.Set;
import java.util.stream.Stream;

/** Rolls back the last N changesets, or back to a tag or a date, under the migration lock. */
final class RollbackCommand implements Command {

    private static final String USAGE = "rollback --count N | --to-tag TAG | --to-date 2026-11-27[T10:00:00Z]";

    @Override
    public String name() {
        return "rollback";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public Set<String> options() {
        return Set.of("count", "to-tag", "to-date");
    }

    @Override
    public int run(Arguments arguments, Migrator migrator, Output output) throws Exception {
        var count = arguments.option("count");
        var tag = arguments.option("to-tag");
        var date = arguments.option("to-date");
        long given = Stream.of(count, tag, date).filter(java.util.Optional::isPresent).count();
        if (given != 1) {
            throw new MigratorException(ExitCodes.USAGE, "give exactly one of --count, --to-tag, --to-date; usage: " + USAGE);
        }
        int before;
        try (Connection connection = migrator.connect()) {
            before = migrator.migrations().history(connection).size();
        }
        migrator.underLock(() -> {
            try (Connection connection = migrator.connect()) {
                return migrator.migrations().withLiquibase(connection, liquibase -> {
                    if (count.isPresent()) {
                        liquibase.rollback(positive(count.get()), (String) null);
                    } else if (tag.isPresent()) {
                        liquibase.rollback(tag.get(), (String) null);
                    } else {
                        liquibase.rollback(Date.from(instant(date.get())), (String) null);
                    }
                    return null;
                });
            }
        });
        int after;
        try (Connection connection = migrator.connect()) {
            after = migrator.migrations().history(connection).size();
        }
        output.put("rolledBack", before - after);
        output.line("rolled back " + (before - after) + " changeset(s)");
        return ExitCodes.OK;
    }

    static int positive(String text) throws MigratorException {
        try {
            int value = Integer.parseInt(text);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new MigratorException(ExitCodes.USAGE, "--count must be a positive number, got '" + text + "'");
    }

    private static Instant instant(String text) throws MigratorException {
        try {
            return text.contains("T") ? Instant.parse(text) : LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw new MigratorException(ExitCodes.USAGE, "--to-date must be a date (2026-11-27) or an instant (2026-11-27T10:00:00Z), got '" + text + "'");
        }
    }
}
