package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;
import com.erpmax.orchestrator.schema.entity.AppliedChangeSet;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The applied changesets with time, author, tag and checksum; {@code current} shows only the last. */
final class HistoryCommand implements Command {

    private final boolean lastOnly;

    HistoryCommand(boolean lastOnly) {
        this.lastOnly = lastOnly;
    }

    @Override
    public String name() {
        return lastOnly ? "current" : "history";
    }

    @Override
    public String usage() {
        return lastOnly ? "current                  the last applied changeset"
                : "history                  every applied changeset: time, author, tag, checksum";
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public int run(Arguments arguments, Migrator migrator, Output output) throws Exception {
        try (Connection connection = migrator.connect()) {
            List<AppliedChangeSet> history = migrator.migrations().history(connection);
            if (lastOnly && !history.isEmpty()) {
                history = history.subList(history.size() - 1, history.size());
            }
            if (history.isEmpty()) {
                output.line("no changeset applied");
            }
            List<Object> rows = output.list("changesets");
            for (AppliedChangeSet applied : history) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", applied.changeSet().id());
                row.put("author", applied.changeSet().author());
                row.put("file", applied.changeSet().file());
                row.put("executedAt", applied.executedAt().toString());
                row.put("tag", applied.tag());
                row.put("checksum", applied.checksum());
                row.put("labels", applied.labels());
                rows.add(row);
                output.line(String.format("%3d  %s  %-40s %-8s %s%s", applied.order(), applied.executedAt(), applied.changeSet().id(),
                        applied.changeSet().author(), applied.checksum(), applied.tag() == null ? "" : "  tag " + applied.tag()));
            }
            return ExitCodes.OK;
        }
    }
}
