package com.erpmax.orchestrator.platform.entity;

/** What one instance of the WAR does: serve the API, run workers, or both (the seed's app and worker services). */
public enum Role {
    API, WORKER, ALL;

    public boolean servesApi() {
        return this != WORKER;
    }

    public boolean runsWorkers() {
        return this != API;
    }
}
