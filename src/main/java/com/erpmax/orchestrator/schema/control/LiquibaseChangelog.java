package com.erpmax.orchestrator.schema.control;

import com.erpmax.orchestrator.schema.entity.ChangeSetRef;
import com.erpmax.orchestrator.schema.entity.ChangelogEntry;

import liquibase.ChecksumVersion;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.changelog.visitor.AbstractChangeExecListener;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.ResourceAccessor;
import liquibase.snapshot.SnapshotGeneratorFactory;
import liquibase.sqlgenerator.SqlGeneratorFactory;
import liquibase.structure.core.Schema;
import liquibase.structure.core.Table;
import liquibase.ui.LoggerUIService;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything of {@link Migrations} that runs Liquibase itself: parsing the changelog, applying
 * it, warming Liquibase up. Kept apart so that Liquibase's classes load only when there is
 * something for Liquibase to do, never on a boot that finds the schema current.
 */
final class LiquibaseChangelog {

    private final ClassLoader classLoader;
    private final String changelog;
    private final String appRole;

    LiquibaseChangelog(ClassLoader classLoader, String changelog, String appRole) {
        this.classLoader = classLoader;
        this.changelog = changelog;
        this.appRole = appRole;
    }

    List<ChangelogEntry> parseEntries() throws Exception {
        return inLiquibaseScope(() -> {
            List<ChangelogEntry> parsed = new ArrayList<>();
            for (ChangeSet changeSet : parse().getChangeSets()) {
                parsed.add(new ChangelogEntry(ref(changeSet), changeSet.generateCheckSum(ChecksumVersion.latest()).toString(),
                        changeSet.isRunOnChange()));
            }
            return List.copyOf(parsed);
        });
    }

    <T> T withLiquibase(Connection connection, Migrations.LiquibaseWork<T> work) throws Exception {
        return inLiquibaseScope(() -> {
            Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
            // Not closed: closing would close the caller's connection.
            try (PreparedStatement role = connection.prepareStatement("SELECT set_config('erpmax.app_role', ?, false)")) {
                role.setString(1, appRole);
                role.execute();
            }
            Liquibase liquibase = new Liquibase(changelog, resources(), database);
            liquibase.setShowSummaryOutput(UpdateSummaryOutputEnum.LOG);
            return work.run(liquibase);
        });
    }

    /** One Liquibase update of the pending changesets; {@code done[0]} counts those applied. */
    void update(Connection connection, String labels, int[] done, int total, Migrations.Progress progress) throws Exception {
        withLiquibase(connection, liquibase -> {
            liquibase.setChangeExecListener(new CountingListener(done, total, progress));
            liquibase.update(new Contexts(), new LabelExpression(labels));
            return null;
        });
    }

    /** See {@link Migrations#warmUp}: renders our changesets' SQL, without touching the database. */
    void warmUp(Connection connection) throws Exception {
        inLiquibaseScope(() -> {
            Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
            for (ChangeSet changeSet : parse().getChangeSets()) {
                for (var change : changeSet.getChanges()) {
                    for (var statement : change.generateStatements(database)) {
                        SqlGeneratorFactory.getInstance().generateSql(statement, database);
                    }
                }
            }
            // What Liquibase asks first when it starts: reads only (metadata), never writes.
            SnapshotGeneratorFactory.getInstance().has(
                    new Table().setName(database.getDatabaseChangeLogTableName()).setSchema(new Schema(database.getDefaultCatalogName(), database.getDefaultSchemaName())), database);
            return null;
        });
    }

    private DatabaseChangeLog parse() throws Exception {
        ResourceAccessor resources = resources();
        return ChangeLogParserFactory.getInstance().getParser(changelog, resources)
                .parse(changelog, new ChangeLogParameters(), resources);
    }

    private ResourceAccessor resources() {
        return new ClassLoaderResourceAccessor(classLoader);
    }

    /**
     * Liquibase phones home for analytics by default: never from here (air-gapped hosts would
     * wait for it). Its console messages go to its logger instead of standard output, where
     * they would mix with the migrator's own output.
     */
    private <T> T inLiquibaseScope(Scope.ScopedRunnerWithReturn<T> work) throws Exception {
        return Scope.child(Map.of(
                "liquibase.analytics.enabled", Boolean.FALSE,
                Scope.Attr.ui.name(), new LoggerUIService(),
                Scope.Attr.resourceAccessor.name(), resources(),
                Scope.Attr.classLoader.name(), classLoader), work);
    }

    private static ChangeSetRef ref(ChangeSet changeSet) {
        return new ChangeSetRef(changeSet.getId(), changeSet.getAuthor(), changeSet.getFilePath());
    }

    private static final class CountingListener extends AbstractChangeExecListener {
        private final int[] done;
        private final int total;
        private final Migrations.Progress progress;
        private long started = System.nanoTime();

        CountingListener(int[] done, int total, Migrations.Progress progress) {
            this.done = done;
            this.total = total;
            this.progress = progress;
        }

        @Override
        public void willRun(ChangeSet changeSet, DatabaseChangeLog log, Database database, ChangeSet.RunStatus status) {
            started = System.nanoTime();
        }

        @Override
        public void ran(ChangeSet changeSet, DatabaseChangeLog log, Database database, ChangeSet.ExecType type) {
            done[0]++;
            progress.applied(done[0], total, ref(changeSet), Duration.ofNanos(System.nanoTime() - started));
        }
    }
}
