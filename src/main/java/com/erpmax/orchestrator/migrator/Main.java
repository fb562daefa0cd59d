package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.platform.entity.ExitCodes;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code java -jar erpmax-migrate.jar COMMAND [options]}: the one-shot migration service and
 * the operator's commands. One outer catch turns every failure into one line and an exit code
 * ({@link ExitCodes}); stack traces only with {@code --verbose}.
 */
public final class Main {

    private static final List<Command> COMMANDS = List.of(new UpdateCommand(), new StatusCommand(), new HistoryCommand(true),
            new HistoryCommand(false), new RollbackCommand(), new TagCommand(), new SqlPreviewCommand(false), new SqlPreviewCommand(true),
            new ValidateCommand(), new TestRollbackCommand(), new LocksCommand(), new RestoreCommand());

    /** Held, so that its level is not lost to garbage collection. */
    private static final Logger LIQUIBASE_LOGGER = Logger.getLogger("liquibase");

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the process exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean verbose = List.of(args).contains("--verbose");
        quietLibraries(verbose);
        try {
            Arguments arguments = Arguments.parse(args);
            Optional<String> name = arguments.command();
            if (name.isEmpty() || name.get().equals("help")) {
                out.println(help());
                return name.isEmpty() && !arguments.flag("help") ? ExitCodes.USAGE : ExitCodes.OK;
            }
            Command command = byName().get(name.get());
            if (command == null) {
                throw new MigratorException(ExitCodes.USAGE, "unknown command '" + name.get() + "'; commands: " + String.join(", ", byName().keySet())
                        + " (--help for more)");
            }
            if (arguments.flag("help")) {
                out.println("usage: java -jar erpmax-migrate.jar " + command.usage());
                return ExitCodes.OK;
            }
            arguments.allowOnly(command.options(), command.usage());
            Output output = new Output(out, arguments.flag("json"));
            int code = command.run(arguments, new Migrator(settings(arguments)), output);
            output.finish();
            return code;
        } catch (MigratorException e) {
            err.println("error: " + e.getMessage());
            if (verbose && e.getCause() != null) {
                e.getCause().printStackTrace(err);
            }
            return e.exitCode();
        } catch (Exception e) {
            List<String> message = rootMessage(e);
            err.println("error: " + message.get(0));
            message.subList(1, message.size()).forEach(detail -> err.println("  " + detail));
            if (verbose) {
                e.printStackTrace(err);
            }
            return ExitCodes.FAILED;
        }
    }

    /** The environment (as in the WAR), overridden by {@code --url}, {@code --user}, {@code --password-file}. */
    private static Settings settings(Arguments arguments) throws MigratorException {
        Map<String, String> overrides = new HashMap<>();
        arguments.option("url").ifPresent(url -> overrides.put(Settings.DB_URL, url));
        arguments.option("user").ifPresent(user -> overrides.put(Settings.DB_USER, user));
        if (arguments.option("password-file").isPresent()) {
            Path file = Path.of(arguments.option("password-file").get());
            try {
                overrides.put(Settings.DB_PASSWORD, Files.readString(file).strip());
            } catch (IOException e) {
                throw new MigratorException(ExitCodes.USAGE, "cannot read --password-file " + file + ": " + e.getMessage());
            }
        }
        return Settings.from(key -> Optional.ofNullable(overrides.get(key)).or(() -> Settings.environmentValue(key)));
    }

    private static Map<String, Command> byName() {
        Map<String, Command> commands = new LinkedHashMap<>();
        COMMANDS.forEach(command -> commands.put(command.name(), command));
        return commands;
    }

    private static String help() {
        StringBuilder help = new StringBuilder("""
                usage: java -jar erpmax-migrate.jar COMMAND [options]

                commands:
                """);
        COMMANDS.forEach(command -> help.append("  ").append(command.usage()).append('\n'));
        help.append("""

                every command: --json (machine-readable), --verbose (stack traces), --help
                database: ERPMAX_DB_URL, ERPMAX_DB_USER, ERPMAX_DB_PASSWORD (or --url, --user, --password-file)
                exit codes: 0 ok, 1 failed, 2 usage, 3 database or lock unavailable, 4 pending (status --check)""");
        return help.toString();
    }

    /** The innermost cause's message: its first line for the error line, the rest as detail lines. */
    private static List<String> rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        List<String> lines = message.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        return lines.isEmpty() ? List.of(message) : lines;
    }

    static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    /**
     * Log records go to standard error as one line each ({@code INFO: Waiting 10 s for migration
     * lock ...}); Liquibase's own chatter only with {@code --verbose}.
     */
    private static void quietLibraries(boolean verbose) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        LIQUIBASE_LOGGER.setLevel(verbose ? Level.INFO : Level.OFF);
    }
}
