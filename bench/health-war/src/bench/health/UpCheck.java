package bench.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The one class the health WAR adds to the empty WAR: a readiness check, found by MicroProfile
 * Health as a CDI bean. It makes Payara start CDI (Weld and its own CDI extensions) for the
 * deployment, as any WAR with a health check of its own must: the platform's share of a boot.
 */
@Readiness
@ApplicationScoped
public class UpCheck implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.up("up");
    }
}
