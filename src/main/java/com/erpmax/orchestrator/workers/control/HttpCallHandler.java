package com.erpmax.orchestrator.workers.control;

import com.erpmax.orchestrator.jobs.control.JobHandler;
import com.erpmax.orchestrator.jobs.control.PermanentJobFailure;
import com.erpmax.orchestrator.platform.control.Jsons;
import com.erpmax.orchestrator.platform.control.Settings;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code http.call}: POSTs {@code payload.body} as JSON to the ERP endpoint named by
 * {@code payload.endpoint}, configured as {@code erpmax.endpoints.<name>.url} (with
 * {@code .timeout} and {@code .auth-header}). 2xx succeeds with the answer as result;
 * 408, 429, 5xx and connection errors are retried; any other 4xx is final. The target is
 * only ever a configured URL: a URL in the payload is ignored, so a job cannot be aimed at
 * an internal service (no SSRF).
 */
@ApplicationScoped
public class HttpCallHandler implements JobHandler {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    @Inject
    Settings settings;

    @Override
    public String type() {
        return "http.call";
    }

    @Override
    public JsonValue handle(JsonObject payload, int attempt) throws Exception {
        JsonValue endpointValue = payload.get("endpoint");
        if (!(endpointValue instanceof JsonString endpointName) || !endpointName.getString().matches("[a-z0-9-]{1,40}")) {
            throw new PermanentJobFailure("payload.endpoint must name a configured endpoint (lower-case letters, digits, dashes)");
        }
        String name = endpointName.getString();
        URI url = settings.endpointUrl(name).orElseThrow(() -> new PermanentJobFailure("no endpoint '" + name
                + "' is configured (" + Settings.ENDPOINTS + name + ".url)"));
        JsonValue body = payload.getOrDefault("body", JsonValue.EMPTY_JSON_OBJECT);
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(settings.endpointTimeout(name))
                .header("Content-Type", "application/json")
                .header("X-ERPMax-Attempt", Integer.toString(attempt))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        settings.endpointAuthHeader(name).ifPresent(auth -> request.header("Authorization", auth));
        HttpResponse<String> response;
        try {
            response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException("endpoint " + name + " unreachable: " + e.getMessage(), e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return Jsons.objectBuilder().add("status", status).add("body", parse(response.body())).build();
        }
        String failure = "endpoint " + name + " answered " + status;
        if (status == 408 || status == 429 || status >= 500) {
            throw new IOException(failure);
        }
        throw new PermanentJobFailure(failure);
    }

    private static JsonValue parse(String body) {
        if (body == null || body.isBlank()) {
            return JsonValue.NULL;
        }
        try (var reader = Jsons.reader(body)) {
            return reader.readValue();
        } catch (RuntimeException notJson) {
            return Jsons.value(body);
        }
    }
}
