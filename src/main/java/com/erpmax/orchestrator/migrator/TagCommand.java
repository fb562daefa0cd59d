package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;

import java.sql.Connection;
import java.util.Set;

/** Tags the current schema state, a point that {@code rollback --to-tag} can return to. */
final class TagCommand implements Command {

    @Override
    public String name() {
        return "tag";
    }

    @Override
    public String usage() {
        return "tag NAME                 mark the current state for rollback --to-tag NAME";
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public int run(Arguments arguments, Migrator migrator, Output output) throws Exception {
        if (arguments.positionals().size() != 1) {
            throw new MigratorException(ExitCodes.USAGE, "give one tag name; usage: " + usage());
        }
        String tag = arguments.positionals().get(0);
        migrator.underLock(() -> {
            try (Connection connection = migrator.connect()) {
                if (migrator.migrations().history(connection).isEmpty()) {
                    throw new MigratorException(ExitCodes.FAILED, "nothing applied yet: there is no state to tag");
                }
                return migrator.migrations().withLiquibase(connection, liquibase -> {
                    liquibase.tag(tag);
                    return null;
                });
            }
        });
        output.put("tag", tag);
        output.line("tagged the current state as " + tag);
        return ExitCodes.OK;
    }
}
