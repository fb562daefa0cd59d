package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Restores a backup made by {@code update --backup}. Refused while an app instance is
 * connected (it would write into a database being replaced) unless {@code --force}.
 */
final class RestoreCommand implements Command {

    private static final String APP_SESSIONS = """
            SELECT DISTINCT application_name FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND application_name LIKE 'erpmax-%' AND application_name NOT LIKE 'erpmax-migrator@%'
            """;

    @Override
    public String name() {
        return "restore";
    }

    @Override
    public String usage() {
        return "restore FILE [--force]   pg_restore a backup of update --backup; refused while app instances are connected";
    }

    @Override
    public Set<String> options() {
        return Set.of("force");
    }

    @Override
    public int run(Arguments arguments, Migrator migrator, Output output) throws Exception {
        if (arguments.positionals().size() != 1) {
            throw new MigratorException(ExitCodes.USAGE, "give the backup file; usage: " + usage());
        }
        Path file = Path.of(arguments.positionals().get(0));
        if (!Files.isReadable(file)) {
            throw new MigratorException(ExitCodes.USAGE, "cannot read backup file " + file);
        }
        PostgresTools tools = new PostgresTools(migrator.settings());
        migrator.underLock(() -> {
            try (Connection connection = migrator.connect()) {
                List<String> apps = appSessions(connection);
                if (!apps.isEmpty() && !arguments.flag("force")) {
                    throw new MigratorException(ExitCodes.FAILED, "app instances are connected (" + String.join(", ", apps)
                            + "); stop them first, or pass --force");
                }
            }
            tools.restore(file);
            return null;
        });
        output.put("restored", file.toString());
        output.line("restored " + tools.database() + " from " + file);
        return ExitCodes.OK;
    }

    private static List<String> appSessions(Connection connection) throws Exception {
        List<String> names = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(APP_SESSIONS); ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }
}
