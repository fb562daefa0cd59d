package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;
import com.erpmax.orchestrator.schema.entity.ChangeSetRef;

import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Applies pending changesets under the migration lock, printing progress. */
final class UpdateCommand implements Command {

    @Override
    public String name() {
        return "update";
    }

    @Override
    public String usage() {
        return "update [--labels EXPR]   apply pending changesets (e.g. --labels expand)";
    }

    @Override
    public Set<String> options() {
        return Set.of("labels");
    }

    @Override
    public int run(Arguments arguments, Migrator migrator, Output output) throws Exception {
        String labels = arguments.option("labels").orElse(null);
        List<Object> applied = output.list("applied");
        int count = migrator.underLock(() -> {
            try (Connection connection = migrator.connect()) {
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

    static String describe(ChangeSetRef changeSet) {
        return changeSet.id() + " (" + changeSet.file() + ")";
    }
}
