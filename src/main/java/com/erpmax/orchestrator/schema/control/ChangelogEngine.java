package com.erpmax.orchestrator.schema.control;

import com.erpmax.orchestrator.schema.entity.ChangelogEntry;

import java.sql.Connection;
import java.util.List;

/**
 * What {@link Migrations} asks of Liquibase, implemented by {@code LiquibaseChangelog}. In the
 * WAR that class and Liquibase are loaded by {@link LiquibaseClassLoader}, and only when
 * Liquibase has work to do; this interface, loaded by the application's class loader, is where
 * the two meet, so none of its own signatures names a Liquibase type.
 */
public interface ChangelogEngine {

    /** Every changeset of the changelog with its checksum, parsed by Liquibase. */
    List<ChangelogEntry> parseEntries() throws Exception;

    /** One Liquibase update of the pending changesets; {@code done[0]} counts those applied. */
    void update(Connection connection, String labels, int[] done, int total, Migrations.Progress progress) throws Exception;

    /** See {@link Migrations#warmUp}: renders our changesets' SQL, without touching the database. */
    void warmUp(Connection connection) throws Exception;

    /**
     * Runs the work with a Liquibase instance bound to the changelog. For the migrator and the
     * tests, whose code handles Liquibase's types and which have Liquibase on their class path.
     */
    <T> T withLiquibase(Connection connection, Migrations.LiquibaseWork<T> work) throws Exception;
}
