package com.erpmax.orchestrator.jobs.boundary;

import com.erpmax.orchestrator.jobs.entity.JobSubmission;
import com.erpmax.orchestrator.platform.control.Jsons;
import com.erpmax.orchestrator.platform.entity.ErrorCode;
import com.erpmax.orchestrator.platform.entity.ServiceException;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Set;

/** Turns a {@code POST /api/jobs} body into a {@link JobSubmission}, naming the field that is wrong. */
final class SubmissionReader {

    static final int MAX_PRIORITY = 1_000;
    static final int MAX_ATTEMPTS = 100;
    static final int MAX_TIMEOUT_SECONDS = 86_400;
    static final int MAX_KEY_LENGTH = 200;
    private static final Set<String> FIELDS = Set.of("type", "payload", "priority", "runAt", "maxAttempts", "timeoutSeconds");

    private SubmissionReader() {
    }

    static JobSubmission read(JsonValue body, String idempotencyKey) {
        if (!(body instanceof JsonObject request)) {
            throw invalid("The body must be a JSON object such as {\"type\":\"echo\",\"payload\":{}}");
        }
        for (String field : request.keySet()) {
            if (!FIELDS.contains(field)) {
                throw invalid("Unknown field '" + field + "'; fields: type, payload, priority, runAt, maxAttempts, timeoutSeconds");
            }
        }
        JsonValue type = request.get("type");
        if (!(type instanceof JsonString text) || text.getString().isBlank() || text.getString().length() > 100) {
            throw invalid("Field 'type' is required and must be a non-empty string of at most 100 characters");
        }
        JsonObject payload = payload(request.getOrDefault("payload", JsonValue.NULL));
        int priority = integer(request, "priority", 0, -MAX_PRIORITY, MAX_PRIORITY);
        int maxAttempts = integer(request, "maxAttempts", JobSubmission.DEFAULT_MAX_ATTEMPTS, 1, MAX_ATTEMPTS);
        int timeoutSeconds = integer(request, "timeoutSeconds", JobSubmission.DEFAULT_TIMEOUT_SECONDS, 1, MAX_TIMEOUT_SECONDS);
        Instant runAt = runAt(request.get("runAt"));
        String key = key(idempotencyKey);
        String canonical = Jsons.objectBuilder().add("type", text.getString()).add("payload", payload)
                .add("priority", priority).add("runAt", runAt == null ? JsonValue.NULL : Jsons.value(runAt.toString()))
                .add("maxAttempts", maxAttempts).add("timeoutSeconds", timeoutSeconds).build().toString();
        return new JobSubmission(text.getString(), payload.toString(), priority, runAt, maxAttempts, timeoutSeconds, key,
                key == null ? null : sha256(canonical));
    }

    private static JsonObject payload(JsonValue payload) {
        if (payload.getValueType() == JsonValue.ValueType.NULL) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        if (!(payload instanceof JsonObject object)) {
            throw invalid("Field 'payload' must be a JSON object");
        }
        return object;
    }

    private static int integer(JsonObject request, String field, int fallback, int min, int max) {
        JsonValue value = request.get(field);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return fallback;
        }
        if (!(value instanceof JsonNumber number) || !number.isIntegral() || number.longValue() < min || number.longValue() > max) {
            throw invalid("Field '" + field + "' must be an integer from " + min + " to " + max);
        }
        return number.intValue();
    }

    private static Instant runAt(JsonValue value) {
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        try {
            if (value instanceof JsonString text) {
                return Instant.parse(text.getString());
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw invalid("Field 'runAt' must be an ISO-8601 instant such as 2026-11-27T10:00:00Z");
    }

    private static String key(String header) {
        if (header == null) {
            return null;
        }
        if (header.isBlank() || header.length() > MAX_KEY_LENGTH || !header.chars().allMatch(c -> c > 32 && c < 127)) {
            throw invalid("Header 'Idempotency-Key' must be 1 to " + MAX_KEY_LENGTH + " visible ASCII characters");
        }
        return header;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ServiceException invalid(String message) {
        return new ServiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
