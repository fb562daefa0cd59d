package com.erpmax.orchestrator.workers.boundary;

/** Where a worker takes jobs from: RabbitMQ or PostgreSQL. */
interface JobIntake {

    void start();

    /** Takes no more jobs; the ones in hand go on. Idempotent. */
    void stopTaking();
}
