package com.erpmax.orchestrator.schema.boundary;

import com.erpmax.orchestrator.platform.boundary.Problems;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.platform.entity.ErrorCode;
import com.erpmax.orchestrator.schema.control.StartupState;
import com.erpmax.orchestrator.schema.entity.StartupStatus;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;

import java.util.Map;

/**
 * Business requests wait for READY: before it, every {@code /api/**} request, unknown paths
 * too, gets 503 with {@code Retry-After} and the phase, and nothing touches a business table.
 * While draining after READY, requests are still served. A worker-only instance serves no API.
 */
@Provider
@PreMatching
public class ApiGateFilter implements ContainerRequestFilter {

    static final int RETRY_AFTER_SECONDS = 5;

    @Inject
    StartupState state;

    @Inject
    Settings settings;

    @Override
    public void filter(ContainerRequestContext request) {
        StartupStatus status = state.current();
        if (!state.servesTraffic()) {
            request.abortWith(Problems.of(ErrorCode.NOT_READY, "Not ready: " + status.describe(),
                            Map.of("phase", status.phase().name()))
                    .header("Retry-After", RETRY_AFTER_SECONDS)
                    .build());
        } else if (!settings.role().servesApi()) {
            request.abortWith(Problems.of(ErrorCode.WRONG_ROLE, "This instance runs with erpmax.role=worker and serves no API").build());
        }
    }
}
