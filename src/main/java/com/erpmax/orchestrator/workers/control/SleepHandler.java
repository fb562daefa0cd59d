package com.erpmax.orchestrator.workers.control;

import com.erpmax.orchestrator.jobs.control.JobHandler;
import com.erpmax.orchestrator.jobs.control.PermanentJobFailure;
import com.erpmax.orchestrator.platform.control.Jsons;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/** {@code sleep}: waits {@code {"millis": N}} (at most an hour), for tests, drills and benchmarks. */
@ApplicationScoped
public class SleepHandler implements JobHandler {

    private static final long MAX_MILLIS = 3_600_000;

    @Override
    public String type() {
        return "sleep";
    }

    @Override
    public JsonValue handle(JsonObject payload, int attempt) throws Exception {
        JsonValue millis = payload.getOrDefault("millis", Jsons.value(0));
        if (!(millis instanceof JsonNumber number) || number.longValue() < 0 || number.longValue() > MAX_MILLIS) {
            throw new PermanentJobFailure("payload.millis must be a number from 0 to " + MAX_MILLIS);
        }
        Thread.sleep(number.longValue());
        return Jsons.objectBuilder().add("slept", number.longValue()).add("attempt", attempt).build();
    }
}
