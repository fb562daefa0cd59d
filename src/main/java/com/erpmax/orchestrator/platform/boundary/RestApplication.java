package com.erpmax.orchestrator.platform.boundary;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Map;

/** Every business resource lives under {@code /api}; health is Payara's, at {@code /health}. */
@ApplicationPath(RestApplication.PATH)
public class RestApplication extends Application {

    public static final String PATH = "/api";

    /**
     * Jersey features the API does not use, which Jersey would set up at every boot before the
     * first request: WADL (a JAXB context for {@code /api/application.wadl}; the API is described
     * by MicroProfile OpenAPI at {@code /openapi}) and Bean Validation of resource methods (a
     * validator factory; the resources check their input themselves and answer with problem
     * details). Spelled out rather than taken from Jersey's {@code ServerProperties}: the WAR
     * compiles against the Jakarta EE API only.
     */
    @Override
    public Map<String, Object> getProperties() {
        return Map.of(
                "jersey.config.server.wadl.disableWadl", true,
                "jersey.config.beanValidation.disable.server", true);
    }
}
