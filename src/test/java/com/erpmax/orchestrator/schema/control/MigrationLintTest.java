package com.erpmax.orchestrator.schema.control;

import liquibase.Scope;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.database.core.PostgresDatabase;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.ClassLoaderResourceAccessor;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MigrationLintTest {

    @Test
    void eachDangerousPatternIsReportedOnceAndAnAllowanceWithAReasonIsHonoured() throws Exception {
        Map<String, String> findings = new MigrationLint().check(changeSets("db/lint/dangerous.yaml"), new PostgresDatabase())
                .stream().collect(Collectors.toMap(MigrationLint.Finding::changeSet, MigrationLint.Finding::rule));
        assertEquals(Map.of(
                "index-without-concurrently", MigrationLint.CONCURRENT_INDEX,
                "volatile-default", MigrationLint.VOLATILE_DEFAULT,
                "type-change", MigrationLint.COLUMN_TYPE_CHANGE,
                "not-null-without-check", MigrationLint.NOT_NULL_WITHOUT_CHECK,
                "rename-in-expand", MigrationLint.RENAME_IN_EXPAND,
                "no-rollback", MigrationLint.NO_ROLLBACK,
                "no-label", MigrationLint.LABEL), findings);
    }

    @Test
    void ourOwnChangelogIsClean() throws Exception {
        assertEquals(List.of(), new MigrationLint().check(changeSets(Migrations.CHANGELOG), new PostgresDatabase()));
    }

    private static List<ChangeSet> changeSets(String changelog) throws Exception {
        ClassLoaderResourceAccessor resources = new ClassLoaderResourceAccessor();
        return Scope.child(Map.of(Scope.Attr.resourceAccessor.name(), resources), () ->
                ChangeLogParserFactory.getInstance().getParser(changelog, resources)
                        .parse(changelog, new ChangeLogParameters(), resources).getChangeSets());
    }
}
