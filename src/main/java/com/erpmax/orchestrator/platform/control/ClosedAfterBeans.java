package com.erpmax.orchestrator.platform.control;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.BeforeShutdown;
import jakarta.enterprise.inject.spi.Extension;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes what the application's beans share (the connection pool) once none of them is left.
 *
 * <p>CDI destroys application-scoped beans in no set order, so a bean that closed the pool in its
 * own {@code @PreDestroy} could pull it from under a worker still finishing or requeueing a job;
 * and {@code @Destroyed(ApplicationScoped.class)} is no later: Payara fires it from the servlet
 * context's end, before its CDI container destroys the beans. {@link BeforeShutdown} comes after
 * every context is destroyed. A portable extension, so one instance for the deployment, and a
 * bean that other beans can inject.
 */
public class ClosedAfterBeans implements Extension {

    private static final Logger LOG = Logger.getLogger(ClosedAfterBeans.class.getName());

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    public synchronized void add(AutoCloseable resource) {
        resources.push(resource);
    }

    synchronized void closeAll(@Observes BeforeShutdown shutdown) {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "Could not close " + resource, e);
            }
        }
    }
}
