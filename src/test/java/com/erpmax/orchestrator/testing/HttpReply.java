package com.erpmax.orchestrator.testing;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import java.io.StringReader;
import java.net.http.HttpResponse;
import java.util.Optional;

/** What a client sees of one HTTP exchange. */
public record HttpReply(int status, String contentType, String body, HttpResponse<String> raw) {

    public JsonObject json() {
        try (var reader = Json.createReader(new StringReader(body))) {
            return reader.readObject();
        }
    }

    public Optional<String> header(String name) {
        return raw.headers().firstValue(name);
    }

    @Override
    public String toString() {
        return status + " " + contentType + " " + body;
    }
}
