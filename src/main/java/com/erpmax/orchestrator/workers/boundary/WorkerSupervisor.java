package com.erpmax.orchestrator.workers.boundary;

import com.erpmax.orchestrator.platform.control.Broker;
import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.schema.entity.SchemaReady;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.logging.Logger;

/**
 * Starts this instance's workers when, and only when, the schema gate opens: from RabbitMQ
 * when a broker is configured, else straight from PostgreSQL. (No MDBs: Payara starts them
 * before any {@code @Startup} bean, that is, before the schema exists.)
 */
@ApplicationScoped
public class WorkerSupervisor {

    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());

    @Inject
    Settings settings;

    @Inject
    Broker broker;

    @Inject
    AmqpJobConsumer amqpConsumer;

    @Inject
    DatabaseJobPoller databasePoller;

    void start(@Observes SchemaReady ready) {
        if (!settings.role().runsWorkers()) {
            LOG.info("erpmax.role=api: no workers in this instance");
            return;
        }
        if (broker.isConfigured()) {
            amqpConsumer.start();
        } else {
            databasePoller.start();
        }
    }
}
