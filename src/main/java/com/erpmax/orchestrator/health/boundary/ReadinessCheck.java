package com.erpmax.orchestrator.health.boundary;

import com.erpmax.orchestrator.schema.control.StartupState;
import com.erpmax.orchestrator.schema.entity.StartupPhase;
import com.erpmax.orchestrator.schema.entity.StartupStatus;
import com.erpmax.orchestrator.platform.control.Broker;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.platform.entity.Role;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Ready only in READY, while the database answers and, for a worker-only instance that
 * consumes from RabbitMQ, while the broker connection is open. Its data says why not, so an operator
 * reads the reason without opening logs.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private static final int DATABASE_CHECK_SECONDS = 2;

    @Inject
    StartupState state;

    /** Resolved only in READY: the pool is the application's, not the start-up's. */
    @Inject
    Instance<DataSource> dataSource;

    @Inject
    Broker broker;

    @Inject
    Settings settings;

    @Override
    public HealthCheckResponse call() {
        StartupStatus status = state.current();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("erpmax-ready")
                .withData("phase", status.phase().name())
                .withData("since", status.since().toString());
        if (status.lockHolder() != null) {
            response.withData("lockHolder", status.lockHolder());
        }
        if (status.pending() != null) {
            response.withData("pending", status.pending());
        }
        if (status.phase() == StartupPhase.MIGRATING) {
            response.withData("applied", status.applied());
        }
        if (status.phase() != StartupPhase.READY) {
            if (status.lastError() != null) {
                response.withData("lastError", status.lastError());
            }
            return response.down().build();
        }
        String databaseError = databaseError();
        if (databaseError != null) {
            return response.withData("lastError", "database: " + databaseError).down().build();
        }
        if (broker.isConsuming() && !broker.isOpen()) {
            // A worker without its broker has nothing to do; an instance that also serves the API
            // still accepts jobs (they wait in the outbox), so it stays ready and says so.
            if (settings.role() == Role.WORKER) {
                return response.withData("lastError", "broker: connection to RabbitMQ is down").down().build();
            }
            response.withData("broker", "down: jobs are accepted and wait in the outbox");
        }
        return response.up().build();
    }

    private String databaseError() {
        try (Connection connection = dataSource.get().getConnection()) {
            return connection.isValid(DATABASE_CHECK_SECONDS) ? null : "no answer within " + DATABASE_CHECK_SECONDS + " s";
        } catch (SQLException e) {
            return e.getMessage();
        }
    }
}
