package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;

import liquibase.change.Change;
import liquibase.changelog.ChangeSet;
import liquibase.exception.ValidationFailedException;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The changelog parses, the checksums of applied changesets match it (an applied file was not
 * edited), and every changeset can be rolled back.
 */
final class ValidateCommand implements Command {

    @Override
    public String name() {
        return "validate";
    }

    @Override
    public String usage() {
        return "validate                 checksums match, every changeset has a rollback";
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
                for (ChangeSet changeSet : liquibase.getDatabaseChangeLog().getChangeSets()) {
                    if (!canRollBack(changeSet, liquibase.getDatabase())) {
                        problems.add(changeSet.getId() + ": no rollback");
                    }
                }
                try {
                    liquibase.validate();
                } catch (ValidationFailedException e) {
                    problems.add(e.getMessage().strip());
                }
                return null;
            });
        }
        output.put("valid", problems.isEmpty());
        if (problems.isEmpty()) {
            output.line("valid: the changelog parses, applied checksums match, every changeset has a rollback");
            return ExitCodes.OK;
        }
        problems.forEach(problem -> output.line("invalid: " + problem));
        return ExitCodes.FAILED;
    }

    private static boolean canRollBack(ChangeSet changeSet, liquibase.database.Database database) {
        if (!changeSet.getRollback().getChanges().isEmpty()) {
            return true;
        }
        List<Change> changes = new ArrayList<>(changeSet.getChanges());
        return !changes.isEmpty() && changes.stream().allMatch(change -> change.supportsRollback(database));
    }
}
