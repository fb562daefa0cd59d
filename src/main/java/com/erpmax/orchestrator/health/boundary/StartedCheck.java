package com.erpmax.orchestrator.health.boundary;

import com.erpmax.orchestrator.schema.control.StartupState;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/**
 * Started once the application is deployed (before that, Payara itself answers 503). Not tied
 * to READY: a Kubernetes startupProbe covers the deployment seconds, liveness then holds
 * through long lock waits, and readiness alone says when traffic may come.
 */
@Startup
@ApplicationScoped
public class StartedCheck implements HealthCheck {

    @Inject
    StartupState state;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("erpmax-started").up()
                .withData("phase", state.current().phase().name())
                .build();
    }
}
