package com.erpmax.orchestrator.jobs.control;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The handlers deployed in this WAR, by job type. The API accepts only types found here. */
@ApplicationScoped
public class JobHandlers {

    @Inject
    @Any
    Instance<JobHandler> discovered;

    private final Map<String, JobHandler> byType = new TreeMap<>();

    @PostConstruct
    void index() {
        for (JobHandler handler : discovered) {
            JobHandler previous = byType.putIfAbsent(handler.type(), handler);
            if (previous != null) {
                throw new IllegalStateException("Two handlers for job type '" + handler.type() + "': "
                        + previous.getClass().getName() + " and " + handler.getClass().getName());
            }
        }
    }

    public Optional<JobHandler> forType(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    /**
     * Whether a job of this type runs inside the transaction that picks it (see
     * {@link JobHandler#isInstant}). A type with no handler in this version does too: its attempt
     * fails at once, with nothing to wait for.
     */
    public boolean runsWhenPicked(String type) {
        JobHandler handler = byType.get(type);
        return handler == null || handler.isInstant();
    }

    public Iterable<String> types() {
        return byType.keySet();
    }
}
