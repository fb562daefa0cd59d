package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;

import liquibase.Contexts;
import liquibase.LabelExpression;

import java.io.StringWriter;
import java.sql.Connection;
import java.util.Set;

/** {@code update-sql} and {@code rollback-sql --count N}: the SQL a command would run, without running it. */
final class SqlPreviewCommand implements Command {

    private final boolean rollback;

    SqlPreviewCommand(boolean rollback) {
        this.rollback = rollback;
    }

    @Override
    public String name() {
        return rollback ? "rollback-sql" : "update-sql";
    }

    @Override
    public String usage() {
        return rollback ? "rollback-sql --count N   print the SQL of rolling back the last N changesets"
                : "update-sql [--labels EXPR]   print the SQL of the pending changesets";
    }

    @Override
    public Set<String> options() {
        return rollback ? Set.of("count") : Set.of("labels");
    }

    @Override
    public int run(Arguments arguments, Migrator migrator, Output output) throws Exception {
        int count = rollback ? RollbackCommand.positive(arguments.option("count")
                .orElseThrow(() -> new MigratorException(ExitCodes.USAGE, "give --count N; usage: " + usage()))) : 0;
        String labels = arguments.option("labels").orElse(null);
        StringWriter sql = new StringWriter();
        migrator.underLock(() -> {
            try (Connection connection = migrator.connect()) {
                return migrator.migrations().withLiquibase(connection, liquibase -> {
                    if (rollback) {
                        liquibase.rollback(count, new Contexts(), new LabelExpression(), sql);
                    } else {
                        liquibase.update(new Contexts(), new LabelExpression(labels), sql);
                    }
                    return null;
                });
            }
        });
        output.put("sql", sql.toString());
        output.line(sql.toString().stripTrailing());
        return ExitCodes.OK;
    }
}
