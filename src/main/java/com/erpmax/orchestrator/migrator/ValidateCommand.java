package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;

import com.erpmax.orchestrator.schema.control.MigrationLint;

import liquibase.exception.ValidationFailedException;

import java.sql.Connection;
import java.util.List;
import java.util.Set;

/**
 * The changelog parses, the checksums of applied changesets match it (an applied file was not
 * edited), and every changeset passes {@link MigrationLint}: it can be rolled back, is labelled
 * expand or contract, and takes no lock that would freeze a busy table.
 */
final class ValidateCommand implements Command {

    @Override
    public String name() {
        return "validate";
    }

    @Override
    public String usage() {
        return "validate                 checksums match; lint: rollbacks, labels, no table-freezing DDL";
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public int run(Arguments arguments, Migrator migrator, Output output) throws Exception {
        List<Object> problems = output.list("problems");
        try (Connection connection = migrator.connect()) {
            migrator.migrations().withLiquibase(connection, liquibase -> {
                new MigrationLint().check(liquibase.getDatabaseChangeLog().getChangeSets(), liquibase.getDatabase())
                        .forEach(finding -> problems.add(finding.toString()));
                try {
                    liquibase.validate();
                } catch (Exception e) {
                    ValidationFailedException failed = Main.find(e, ValidationFailedException.class);
                    if (failed == null) {
                        throw e;
                    }
                    failed.getMessage().lines().map(String::strip)
                            .filter(line -> !line.isEmpty() && !line.endsWith(":"))
                            .forEach(problems::add);
                }
                return null;
            });
        }
        output.put("valid", problems.isEmpty());
        if (problems.isEmpty()) {
            output.line("valid: the changelog parses, applied checksums match, the lint finds nothing");
            return ExitCodes.OK;
        }
        problems.forEach(problem -> output.line("invalid: " + problem));
        return ExitCodes.FAILED;
    }
}
