package com.erpmax.orchestrator.migrator;

import com.erpmax.orchestrator.platform.entity.ExitCodes;
import com.erpmax.orchestrator.schema.entity.AppliedChangeSet;
import com.erpmax.orchestrator.schema.entity.ChangeSetRef;

import java.sql.Connection;
import java.util.List;
import java.util.Set;

/** The last applied changeset and the pending ones; with {@code --check}, exit 4 when any is pending. */
final class StatusCommand implements Command {

    @Override
    public String name() {
        return "status";
    }

    @Override
    public String usage() {
        return "status [--check]         last applied changeset and pending ones; --check exits 4 if any is pending";
    }

    @Override
    public Set<String> options() {
        return Set.of("check");
    }

    @Override
    public int run(Arguments arguments, Migrator migrator, Output output) throws Exception {
        try (Connection connection = migrator.connect()) {
            List<AppliedChangeSet> history = migrator.migrations().history(connection);
            List<ChangeSetRef> pending = migrator.migrations().pending(connection);
            if (history.isEmpty()) {
                output.line("current: (empty database)");
            } else {
                AppliedChangeSet last = history.get(history.size() - 1);
                output.line("current: " + last.changeSet().id() + (last.tag() == null ? "" : " (tag " + last.tag() + ")")
                        + ", applied " + last.executedAt());
                output.put("current", last.changeSet().id());
                output.put("tag", last.tag());
            }
            output.put("applied", history.size());
            output.line("applied: " + history.size() + " changeset(s)");
            List<Object> pendingIds = output.list("pending");
            output.line("pending: " + pending.size() + " changeset(s)");
            for (ChangeSetRef changeSet : pending) {
                pendingIds.add(changeSet.id());
                output.line("  " + UpdateCommand.describe(changeSet));
            }
            return arguments.flag("check") && !pending.isEmpty() ? ExitCodes.PENDING : ExitCodes.OK;
        }
    }
}
