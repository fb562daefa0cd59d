package com.erpmax.orchestrator.health.boundary;

import com.erpmax.orchestrator.schema.control.StartupState;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while the process answers: waiting for the database or the lock and migrating are
 * healthy states, and restarting the process would only start the wait again. A FAILED
 * instance stays live too: {@code erpmax.startup.on-failure} decides whether it exits.
 */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {

    @Inject
    StartupState state;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("erpmax-live").up()
                .withData("phase", state.current().phase().name())
                .build();
    }
}
