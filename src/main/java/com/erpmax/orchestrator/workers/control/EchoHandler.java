package com.erpmax.orchestrator.workers.control;

import com.erpmax.orchestrator.jobs.control.JobHandler;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/** {@code echo}: returns its payload. Proves the whole path from API to worker and back. */
@ApplicationScoped
public class EchoHandler implements JobHandler {

    @Override
    public String type() {
        return "echo";
    }

    @Override
    public JsonValue handle(JsonObject payload, int attempt) {
        return payload;
    }

    @Override
    public boolean isInstant() {
        return true;
    }
}
