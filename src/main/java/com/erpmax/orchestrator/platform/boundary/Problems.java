package com.erpmax.orchestrator.platform.boundary;

import com.erpmax.orchestrator.platform.control.Jsons;
import com.erpmax.orchestrator.platform.entity.ErrorCode;

import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/**
 * Renders RFC 9457 problem documents ({@code application/problem+json}): the one way this
 * API says no. The HTTP status of each {@link ErrorCode} is decided here and nowhere else.
 */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    public static int status(ErrorCode code) {
        return switch (code) {
            case NOT_READY -> 503;
            case WRONG_ROLE, NOT_FOUND -> 404;
            case MALFORMED_JSON, INVALID_REQUEST -> 400;
            case UNKNOWN_JOB_TYPE -> 422;
            case CONFLICT -> 409;
            case PAYLOAD_TOO_LARGE -> 413;
            case INTERNAL -> 500;
        };
    }

    static String title(ErrorCode code) {
        return switch (code) {
            case NOT_READY -> "Service not ready";
            case WRONG_ROLE -> "No API on this instance";
            case NOT_FOUND -> "Not found";
            case MALFORMED_JSON -> "Malformed JSON";
            case INVALID_REQUEST -> "Invalid request";
            case UNKNOWN_JOB_TYPE -> "Unknown job type";
            case CONFLICT -> "Conflict";
            case PAYLOAD_TOO_LARGE -> "Request body too large";
            case INTERNAL -> "Internal error";
        };
    }

    public static Response.ResponseBuilder of(ErrorCode code, String detail) {
        return of(code, detail, Map.of());
    }

    /** With extension members, such as the start-up {@code phase} of a 503. */
    public static Response.ResponseBuilder of(ErrorCode code, String detail, Map<String, String> extensions) {
        return of(status(code), code.slug(), title(code), detail, extensions);
    }

    /** An HTTP error of the JAX-RS runtime itself (unknown path, wrong method or media type). */
    public static Response.ResponseBuilder of(Response.StatusType status, String detail) {
        String code = status.getReasonPhrase().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        return of(status.getStatusCode(), code, status.getReasonPhrase(), detail, Map.of());
    }

    private static Response.ResponseBuilder of(int status, String code, String title, String detail, Map<String, String> extensions) {
        JsonObjectBuilder body = Jsons.objectBuilder()
                .add("type", "urn:erpmax:problem:" + code)
                .add("title", title)
                .add("status", status)
                .add("code", code);
        if (detail != null) {
            body.add("detail", detail);
        }
        extensions.forEach(body::add);
        return Response.status(status).type(MEDIA_TYPE).entity(body.build().toString());
    }
}
