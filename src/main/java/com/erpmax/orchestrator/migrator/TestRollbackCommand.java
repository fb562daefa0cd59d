package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.platform.entity.ExitCodes;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Proves on a scratch database that the changelog goes forward, all the way back, and forward
 * again to the very same schema: update → rollback of everything → update, compared.
 */
final class TestRollbackCommand implements Command {

    /** Everything a changeset can leave behind in schema public, Liquibase's own tables aside. */
    private static final String SCHEMA = """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable
                   || ' default=' || coalesce(column_default, '')
              FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name NOT LIKE 'databasechangelog%'
            UNION ALL
            SELECT 'index ' || indexdef FROM pg_indexes
             WHERE schemaname = 'public' AND tablename NOT LIKE 'databasechangelog%'
            UNION ALL
            SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace
               AND conrelid::regclass::text NOT LIKE 'databasechangelog%'
            ORDER BY 1
            """;

    @Override
    public String name() {
        return "test-rollback";
    }

    @Override
    public String usage() {
        return "test-rollback            on a scratch database: update, roll back everything, update; compare";
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public int run(Arguments arguments, Migrator migrator, Output output) throws Exception {
        String scratch = "erpmax_rollback_test_" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
        try (Connection admin = migrator.connect(); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + scratch);
        }
        output.put("database", scratch);
        output.line("scratch database: " + scratch);
        try {
            Migrator onScratch = new Migrator(onDatabase(migrator.settings(), scratch));
            List<String> problems = roundTrip(onScratch, output);
            output.put("identical", problems.isEmpty());
            if (problems.isEmpty()) {
                output.line("rollback test passed: the schema after update → rollback → update is identical");
                return ExitCodes.OK;
            }
            problems.forEach(problem -> output.line("differs: " + problem));
            output.list("differences").addAll(problems);
            return ExitCodes.FAILED;
        } finally {
            try (Connection admin = migrator.connect(); Statement statement = admin.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + scratch + " WITH (FORCE)");
            }
            output.line("dropped " + scratch);
        }
    }

    private static List<String> roundTrip(Migrator migrator, Output output) throws Exception {
        List<String> problems = new ArrayList<>();
        try (Connection connection = migrator.connect()) {
            Duration timeout = migrator.settings().ddlLockTimeout();
            int total = migrator.migrations().update(connection, null, timeout, 0, (done, all, changeSet, took) -> { });
            List<String> first = schema(connection);
            output.line("update: " + total + " changeset(s), " + first.size() + " schema objects");
            migrator.migrations().withLiquibase(connection, liquibase -> {
                liquibase.rollback(total, (String) null);
                return null;
            });
            List<String> left = schema(connection);
            if (!left.isEmpty()) {
                problems.add("rollback of everything left " + left);
            }
            output.line("rollback: " + total + " changeset(s), " + left.size() + " schema objects left");
            migrator.migrations().update(connection, null, timeout, 0, (done, all, changeSet, took) -> { });
            List<String> second = schema(connection);
            output.line("update again: " + second.size() + " schema objects");
            if (!second.equals(first)) {
                List<String> missing = new ArrayList<>(first);
                missing.removeAll(second);
                List<String> extra = new ArrayList<>(second);
                extra.removeAll(first);
                problems.add("missing after the second update: " + missing + "; new: " + extra);
            }
        }
        return problems;
    }

    private static List<String> schema(Connection connection) throws Exception {
        List<String> objects = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(SCHEMA)) {
            while (rows.next()) {
                objects.add(rows.getString(1));
            }
        }
        return objects;
    }

    private static Settings onDatabase(Settings settings, String database) {
        String url = settings.databaseUrlRequired().replaceFirst("^(jdbc:postgresql://[^/]*/)[^?]*", "$1" + database);
        return settings.with(Settings.DB_URL, url);
    }
}
