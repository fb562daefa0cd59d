package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A parsed command line: {@code COMMAND [--option value | --option=value | --flag]... [ARG]...}. */
final class Arguments {

    /** Options that take no value. */
    private static final Set<String> FLAGS = Set.of("json", "check", "verbose", "help", "release-stale", "force");
    /** Options that take a value. */
    private static final Set<String> VALUED = Set.of("labels", "count", "to-tag", "to-date", "backup", "url", "user", "password-file");
    /** Accepted by every command. */
    private static final Set<String> GLOBAL = Set.of("json", "verbose", "help", "url", "user", "password-file");

    private final String command;
    private final Map<String, String> options;
    private final Set<String> flags;
    private final List<String> positionals;

    private Arguments(String command, Map<String, String> options, Set<String> flags, List<String> positionals) {
        this.command = command;
        this.options = options;
        this.flags = flags;
        this.positionals = positionals;
    }

    static Arguments parse(String[] args) throws MigratorException {
        String command = null;
        Map<String, String> options = new HashMap<>();
        Set<String> flags = new HashSet<>();
        List<String> positionals = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h")) {
                flags.add("help");
            } else if (arg.startsWith("--")) {
                String name = arg.substring(2);
                String value = null;
                int equals = name.indexOf('=');
                if (equals >= 0) {
                    value = name.substring(equals + 1);
                    name = name.substring(0, equals);
                }
                if (!FLAGS.contains(name) && !VALUED.contains(name)) {
                    throw new MigratorException(ExitCodes.USAGE, "unknown option --" + name + " (--help lists the options)");
                }
                if (FLAGS.contains(name)) {
                    flags.add(name);
                } else if (value != null) {
                    options.put(name, value);
                } else if (i + 1 < args.length) {
                    options.put(name, args[++i]);
                } else {
                    throw new MigratorException(ExitCodes.USAGE, "option --" + name + " needs a value");
                }
            } else if (command == null) {
                command = arg;
            } else {
                positionals.add(arg);
            }
        }
        return new Arguments(command, options, flags, positionals);
    }

    Optional<String> command() {
        return Optional.ofNullable(command);
    }

    Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    List<String> positionals() {
        return positionals;
    }

    /** Refuses options a command does not know, with a hint, so a typo never passes silently. */
    void allowOnly(Set<String> known, String usage) throws MigratorException {
        Set<String> given = new HashSet<>(options.keySet());
        given.addAll(flags);
        for (String name : given) {
            if (!known.contains(name) && !GLOBAL.contains(name)) {
                throw new MigratorException(ExitCodes.USAGE, "option --" + name + " does not apply here; usage: " + usage);
            }
        }
    }
}
