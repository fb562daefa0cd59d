package com.erpmax.orchestrator.migrator;

import java.util.Set;

/** One operator command. Returns the exit code; throws {@link MigratorException} to fail with a message. */
interface Command {

    String name();

    /** One line: the command with its options, shown by {@code --help} and in usage errors. */
    String usage();

    /** The options and flags it accepts besides {@code --json}, {@code --verbose} and {@code --help}. */
    Set<String> options();

    int run(Arguments arguments, Migrator migrator, Output output) throws Exception;
}
