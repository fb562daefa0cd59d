package com.erpmax.orchestrator.jobs.boundary;

import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.platform.control.Jsons;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.time.Instant;

/** The JSON form of a job in the API. */
final class JobJson {

    private JobJson() {
    }

    static JsonObject of(Job job) {
        JsonObjectBuilder json = Jsons.objectBuilder()
                .add("id", job.id())
                .add("type", job.type())
                .add("status", job.status().value())
                .add("attempts", job.attempts())
                .add("maxAttempts", job.maxAttempts())
                .add("priority", job.priority())
                .add("timeoutSeconds", job.timeoutSeconds())
                .add("payload", parse(job.payload()));
        if (job.idempotencyKey() != null) {
            json.add("idempotencyKey", job.idempotencyKey());
        }
        addIfPresent(json, "result", job.result() == null ? null : parse(job.result()));
        if (job.error() != null) {
            json.add("error", job.error());
        }
        addTime(json, "runAt", job.runAt());
        addTime(json, "createdAt", job.createdAt());
        addTime(json, "updatedAt", job.updatedAt());
        addTime(json, "startedAt", job.startedAt());
        addTime(json, "finishedAt", job.finishedAt());
        return json.build();
    }

    private static JsonValue parse(String json) {
        try (var reader = Jsons.reader(json)) {
            return reader.readValue();
        }
    }

    private static void addIfPresent(JsonObjectBuilder json, String name, JsonValue value) {
        if (value != null) {
            json.add(name, value);
        }
    }

    private static void addTime(JsonObjectBuilder json, String name, Instant value) {
        if (value != null) {
            json.add(name, value.toString());
        }
    }
}
