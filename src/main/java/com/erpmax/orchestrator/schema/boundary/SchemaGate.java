package com.erpmax.orchestrator.schema.boundary;

import com.erpmax.orchestrator.platform.control.DirectConnections;
import com.erpmax.orchestrator.platform.control.InvalidSettingException;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.platform.entity.ExitCodes;
import com.erpmax.orchestrator.schema.control.DatabaseWait;
import com.erpmax.orchestrator.schema.control.MigrationLock;
import com.erpmax.orchestrator.schema.control.Migrations;
import com.erpmax.orchestrator.schema.control.StartupState;
import com.erpmax.orchestrator.schema.entity.FailurePolicy;
import com.erpmax.orchestrator.schema.entity.LockHolder;
import com.erpmax.orchestrator.schema.entity.MigrationMode;
import com.erpmax.orchestrator.schema.entity.SchemaReady;
import com.erpmax.orchestrator.schema.entity.StartupPhase;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drives start-up (DESIGN §1): wait for PostgreSQL, take the migration lock, migrate (or wait
 * for someone else to), then fire {@link SchemaReady} once. It runs off the deployment thread
 * so that the application deploys at once and its health endpoints answer during a wait of
 * any length; until READY the API gate turns business requests away and workers stay idle.
 * <p>
 * A CDI bean started by the application context's start, not a {@code @Startup} EJB: with no
 * EJB in the WAR, Payara does not set its EJB container up for it at every deployment.
 */
@ApplicationScoped
public class SchemaGate {

    private static final Logger LOG = Logger.getLogger(SchemaGate.class.getName());

    @Inject
    StartupState state;

    @Inject
    Settings settings;

    @Inject
    Event<SchemaReady> schemaReady;

    @Resource
    ManagedExecutorService executor;

    private final Clock clock = Clock.systemUTC();
    private Future<?> opening;

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        opening = executor.submit(this::open);
    }

    /** Undeploy, SIGTERM or SIGINT: readiness goes DOWN first, and a wait in progress ends. */
    @PreDestroy
    void stop() {
        state.enter(StartupPhase.DRAINING);
        opening.cancel(true);
    }

    void open() {
        try {
            settings.requireValid();
            MigrationMode mode = settings.migrationMode();
            DirectConnections connections = new DirectConnections(settings, settings.role());
            Migrations migrations = new Migrations(SchemaGate.class.getClassLoader()).grantingTo(settings.appRole());
            migrations.changeSets(); // a changelog that does not parse fails now, not halfway

            state.enter(StartupPhase.WAITING_FOR_DATABASE);
            new DatabaseWait(connections, clock).await(settings.databaseWaitTimeout(), this::recordTransientError);

            switch (mode) {
                case UPDATE -> {
                    state.enter(StartupPhase.WAITING_FOR_LOCK);
                    warmUp(connections, migrations);
                    new MigrationLock(connections, settings.migrationLockKey(), clock)
                            .withLock(settings.migrationLockTimeout(), this::recordLockHolder, () -> migrate(connections, migrations));
                }
                case VALIDATE -> awaitSchema(connections, migrations);
                case NONE -> LOG.info("erpmax.migration.mode is none: the schema is taken as it is");
            }
            state.enter(StartupPhase.READY);
            schemaReady.fire(new SchemaReady());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.info("Start-up interrupted (the application is stopping)");
        } catch (Exception | LinkageError e) {
            // A LinkageError (a class missing from the WAR) would otherwise end this task
            // silently and leave readiness in STARTING for ever.
            fail(e);
        }
    }

    private Void migrate(DirectConnections connections, Migrations migrations) throws Exception {
        state.update(status -> status.withLockHolder(null));
        try (Connection connection = connections.open()) {
            migrations.releaseStaleLiquibaseLock(connection);
            List<?> pending = migrations.pending(connection);
            if (pending.isEmpty()) {
                LOG.info("Schema is current: nothing to migrate");
                state.update(status -> status.withProgress(0, 0));
                return null;
            }
            // The count first: a readiness answer in MIGRATING always says how many are pending.
            state.update(status -> status.withProgress(0, pending.size()));
            state.enter(StartupPhase.MIGRATING);
            int applied = migrations.update(connection, null, settings.ddlLockTimeout(), settings.ddlRetries(),
                    (done, total, changeSet, took) -> {
                        state.update(status -> status.withProgress(done, total - done));
                        LOG.info(() -> "[" + done + "/" + total + "] " + changeSet.id() + " ... " + took.toMillis() + " ms");
                    });
            LOG.info(() -> "Applied " + applied + " changeset(s)");
        }
        return null;
    }

    /**
     * Only when something is pending: on the usual boot, with the schema current, starting
     * Liquibase at all would cost about a second for nothing.
     */
    private static void warmUp(DirectConnections connections, Migrations migrations) {
        try (Connection connection = connections.open()) {
            if (!migrations.compare(connection).isCurrent()) {
                migrations.warmUp(connection);
            }
        } catch (Exception e) {
            LOG.log(Level.FINE, "Liquibase warm-up failed; the migration will start cold", e);
        }
    }

    /** validate mode: another process (the one-shot migrator) migrates; READY once none of ours is pending. */
    private void awaitSchema(DirectConnections connections, Migrations migrations) throws Exception {
        Duration poll = settings.validatePoll();
        while (true) {
            try (Connection connection = connections.open()) {
                int pending = migrations.pending(connection).size();
                state.update(status -> status.withProgress(0, pending));
                if (pending == 0) {
                    return;
                }
                // Entered once the count is known: a readiness answer in this phase always has it.
                if (state.current().phase() != StartupPhase.WAITING_FOR_SCHEMA) {
                    state.enter(StartupPhase.WAITING_FOR_SCHEMA);
                }
                LOG.fine(() -> pending + " changeset(s) of this version not applied yet; waiting for the migrator");
            } catch (java.sql.SQLException e) {
                recordTransientError(e.getMessage());
            }
            Thread.sleep(poll.toMillis());
        }
    }

    private void recordLockHolder(Optional<LockHolder> holder, Duration waited) {
        state.update(status -> status.withLockHolder(holder.map(LockHolder::describe).orElse(null)));
    }

    private void recordTransientError(String error) {
        state.update(status -> status.withError(error));
    }

    /** An unreadable policy must not keep a failed process alive: it counts as the default, exit. */
    private FailurePolicy failurePolicy() {
        try {
            return settings.onFailure();
        } catch (RuntimeException invalid) {
            LOG.warning(() -> invalid.getMessage() + "; exiting, as with the default");
            return FailurePolicy.EXIT;
        }
    }

    private void fail(Throwable e) {
        String reason = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        if (!(e instanceof InvalidSettingException)) { // for a setting, the state's message below says it all
            LOG.log(Level.SEVERE, "Start-up failed", e);
        }
        state.fail(reason);
        if (failurePolicy() == FailurePolicy.EXIT) {
            LOG.severe(() -> "Exiting with code " + ExitCodes.STARTUP_FAILED + " (erpmax.startup.on-failure=exit)");
            // From a thread of its own: the shutdown it starts undeploys this application and
            // waits for managed tasks, this one included.
            Thread exit = new Thread(() -> System.exit(ExitCodes.STARTUP_FAILED), "erpmax-startup-failed-exit");
            exit.start();
        }
    }
}
