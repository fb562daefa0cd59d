package com.erpmax.orchestrator.platform.entity;

/** Process exit codes that scripts and orchestrators can rely on; documented in the README. */
public final class ExitCodes {

    /** Success. */
    public static final int OK = 0;
    /** The migrator: a migration or a check failed. */
    public static final int FAILED = 1;
    /** The migrator: unknown command or option, or a missing argument. */
    public static final int USAGE = 2;
    /** The migrator: the database or the migration lock could not be had in time. */
    public static final int UNAVAILABLE = 3;
    /** The migrator: {@code status --check} found pending changesets. */
    public static final int PENDING = 4;
    /** The WAR's start-up FAILED and {@code erpmax.startup.on-failure} is {@code exit}. */
    public static final int STARTUP_FAILED = 3;

    private ExitCodes() {
    }
}
