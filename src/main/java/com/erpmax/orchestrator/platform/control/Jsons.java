package com.erpmax.orchestrator.platform.control;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.spi.JsonProvider;

import java.io.StringReader;

/**
 * JSON-P through one provider, looked up once. Every {@code jakarta.json.Json.createXxx} call
 * looks the provider up again with a ServiceLoader scan of every jar on the class path, under
 * each jar's lock: with 32 HTTP threads submitting, they queued on those locks and the server
 * took about 130 jobs/s at 15 s median latency (jstack, 500 req/s); the workers paid it once per
 * job for the payload.
 */
public final class Jsons {

    private static final JsonProvider PROVIDER = JsonProvider.provider();

    private Jsons() {
    }

    public static JsonObjectBuilder objectBuilder() {
        return PROVIDER.createObjectBuilder();
    }

    public static JsonArrayBuilder arrayBuilder() {
        return PROVIDER.createArrayBuilder();
    }

    public static JsonReader reader(String json) {
        return PROVIDER.createReader(new StringReader(json));
    }

    public static JsonString value(String value) {
        return PROVIDER.createValue(value);
    }

    public static JsonNumber value(long value) {
        return PROVIDER.createValue(value);
    }
}
