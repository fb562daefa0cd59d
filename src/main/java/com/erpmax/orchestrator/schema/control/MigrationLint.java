package com.erpmax.orchestrator.schema.control;

import liquibase.change.Change;
import liquibase.changelog.ChangeSet;
import liquibase.database.Database;
import liquibase.sql.Sql;
import liquibase.sqlgenerator.SqlGeneratorFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fails changesets that would lock or rewrite busy tables, or break the version still running
 * during a blue-green switch: the dangerous patterns documented by squawk and
 * strong_migrations. A changeset may allow a rule with a written reason in its comment:
 * {@code lint-allow RULE: why it is safe here}.
 */
public final class MigrationLint {

    public static final String CONCURRENT_INDEX = "concurrent-index";
    public static final String VOLATILE_DEFAULT = "volatile-default";
    public static final String COLUMN_TYPE_CHANGE = "column-type-change";
    public static final String NOT_NULL_WITHOUT_CHECK = "not-null-without-check";
    public static final String RENAME_IN_EXPAND = "rename-in-expand";
    public static final String NO_ROLLBACK = "no-rollback";
    public static final String LABEL = "label";

    private static final Pattern CREATE_TABLE = Pattern.compile("create\\s+table\\s+(?:if\\s+not\\s+exists\\s+)?([\\w.\"]+)");
    private static final Pattern CREATE_INDEX = Pattern.compile(
            "create\\s+(?:unique\\s+)?index\\s+(concurrently\\s+)?(?:if\\s+not\\s+exists\\s+)?[\\w\"]*\\s*on\\s+(?:only\\s+)?([\\w.\"]+)");
    private static final Pattern ADD_COLUMN_DEFAULT = Pattern.compile("add\\s+column\\s+[^,;]*?default\\s+([^,;]+)");
    private static final Pattern VOLATILE_FUNCTION = Pattern.compile(
            "\\b(random|clock_timestamp|gen_random_uuid|uuid_generate_v[14]|timeofday|nextval)\\s*\\(");
    private static final Pattern TYPE_CHANGE = Pattern.compile("alter\\s+column\\s+[\\w\"]+\\s+(?:set\\s+data\\s+)?type\\s");
    private static final Pattern SET_NOT_NULL = Pattern.compile("alter\\s+column\\s+([\\w\"]+)\\s+set\\s+not\\s+null");
    private static final Pattern RENAME = Pattern.compile("\\brename\\s+(?:column\\s+)?[\\w\"]*\\s*to\\s");
    private static final Pattern ALLOW = Pattern.compile("lint-allow\\s+([a-z-]+)\\s*:\\s*(\\S.{9,})");

    /** One rule broken by one changeset. */
    public record Finding(String changeSet, String rule, String message) {
        @Override
        public String toString() {
            return changeSet + ": " + rule + ": " + message;
        }
    }

    /** Checks every changeset, in order (a NOT NULL may rely on a CHECK added by an earlier one). */
    public List<Finding> check(List<ChangeSet> changeSets, Database database) {
        List<Finding> findings = new ArrayList<>();
        StringBuilder earlierSql = new StringBuilder();
        for (ChangeSet changeSet : changeSets) {
            String sql = sql(changeSet, database);
            List<Finding> raw = new ArrayList<>();
            checkLabels(changeSet, raw);
            checkRollback(changeSet, database, raw);
            checkIndexes(changeSet, sql, raw);
            checkDefaults(changeSet, sql, raw);
            find(TYPE_CHANGE, sql, changeSet, COLUMN_TYPE_CHANGE,
                    "changing a column's type rewrites the table under an ACCESS EXCLUSIVE lock; add a new column instead", raw);
            Matcher notNull = SET_NOT_NULL.matcher(sql);
            while (notNull.find()) {
                String column = notNull.group(1);
                if (!Pattern.compile("check\\s*\\(\\s*" + Pattern.quote(column) + "\\s+is\\s+not\\s+null").matcher(earlierSql).find()) {
                    raw.add(new Finding(changeSet.getId(), NOT_NULL_WITHOUT_CHECK, "SET NOT NULL on " + column
                            + " scans the table under an ACCESS EXCLUSIVE lock; first add CHECK (" + column
                            + " IS NOT NULL) NOT VALID and VALIDATE it in an earlier changeset"));
                }
            }
            if (labels(changeSet).contains("expand")) {
                find(RENAME, sql, changeSet, RENAME_IN_EXPAND,
                        "renaming breaks the version still running; rename in a contract changeset, after it is gone", raw);
            }
            Set<String> allowed = allowedRules(changeSet);
            raw.stream().filter(finding -> !allowed.contains(finding.rule())).forEach(findings::add);
            earlierSql.append(sql).append('\n');
        }
        return findings;
    }

    private static void checkLabels(ChangeSet changeSet, List<Finding> findings) {
        Set<String> labels = labels(changeSet);
        if (labels.contains("expand") == labels.contains("contract")) {
            findings.add(new Finding(changeSet.getId(), LABEL, "label it expand (safe while the old version runs) or contract (after)"));
        }
    }

    private static void checkRollback(ChangeSet changeSet, Database database, List<Finding> findings) {
        boolean explicit = !changeSet.getRollback().getChanges().isEmpty();
        boolean automatic = !changeSet.getChanges().isEmpty()
                && changeSet.getChanges().stream().allMatch(change -> change.supportsRollback(database));
        if (!explicit && !automatic) {
            findings.add(new Finding(changeSet.getId(), NO_ROLLBACK, "no rollback: add a rollback block"));
        }
    }

    private static void checkIndexes(ChangeSet changeSet, String sql, List<Finding> findings) {
        List<String> createdHere = new ArrayList<>();
        Matcher table = CREATE_TABLE.matcher(sql);
        while (table.find()) {
            createdHere.add(table.group(1));
        }
        Matcher index = CREATE_INDEX.matcher(sql);
        while (index.find()) {
            if (index.group(1) == null && !createdHere.contains(index.group(2))) {
                findings.add(new Finding(changeSet.getId(), CONCURRENT_INDEX, "CREATE INDEX on existing table " + index.group(2)
                        + " blocks its writes while it builds; use CREATE INDEX CONCURRENTLY with runInTransaction: false"));
            }
        }
    }

    private static void checkDefaults(ChangeSet changeSet, String sql, List<Finding> findings) {
        Matcher addColumn = ADD_COLUMN_DEFAULT.matcher(sql);
        while (addColumn.find()) {
            if (VOLATILE_FUNCTION.matcher(addColumn.group(1)).find()) {
                findings.add(new Finding(changeSet.getId(), VOLATILE_DEFAULT, "a volatile default (" + addColumn.group(1).trim()
                        + ") rewrites the whole table; add the column without it, then backfill in batches"));
            }
        }
    }

    private static void find(Pattern pattern, String sql, ChangeSet changeSet, String rule, String message, List<Finding> findings) {
        if (pattern.matcher(sql).find()) {
            findings.add(new Finding(changeSet.getId(), rule, message));
        }
    }

    private static Set<String> labels(ChangeSet changeSet) {
        return changeSet.getLabels() == null ? Set.of() : changeSet.getLabels().getLabels();
    }

    private static Set<String> allowedRules(ChangeSet changeSet) {
        Set<String> rules = new java.util.HashSet<>();
        if (changeSet.getComments() != null) {
            Matcher allow = ALLOW.matcher(changeSet.getComments());
            while (allow.find()) {
                rules.add(allow.group(1));
            }
        }
        return rules;
    }

    /** The changeset's SQL as PostgreSQL will see it, lower-cased, comments kept (they do no harm). */
    private static String sql(ChangeSet changeSet, Database database) {
        StringBuilder text = new StringBuilder();
        for (Change change : changeSet.getChanges()) {
            for (var statement : change.generateStatements(database)) {
                for (Sql sql : SqlGeneratorFactory.getInstance().generateSql(statement, database)) {
                    text.append(sql.toSql()).append(";\n");
                }
            }
        }
        return text.toString().toLowerCase(Locale.ROOT);
    }
}
