package com.erpmax.orchestrator.platform.boundary;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** Every business resource lives under {@code /api}; health is Payara's, at {@code /health}. */
@ApplicationPath(RestApplication.PATH)
public class RestApplication extends Application {

    public static final String PATH = "/api";
}
