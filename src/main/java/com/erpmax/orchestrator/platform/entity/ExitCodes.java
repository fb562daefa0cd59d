package com.erpmax.orchestrator.platform.entity;

/** Process exit codes that scripts and orchestrators can rely on; documented in the README. */
public final class ExitCodes {

    /** The WAR's start-up FAILED and {@code erpmax.startup.on-failure} is {@code exit}. */
    public static final int STARTUP_FAILED = 3;

    private ExitCodes() {
    }
}
