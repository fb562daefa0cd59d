package com.erpmax.orchestrator.jobs.boundary;

import com.erpmax.orchestrator.jobs.control.JobHandlers;
import com.erpmax.orchestrator.jobs.control.JobStore;
import com.erpmax.orchestrator.jobs.control.OutboxRelay;
import com.erpmax.orchestrator.jobs.entity.Job;
import com.erpmax.orchestrator.platform.control.Broker;
import com.erpmax.orchestrator.platform.entity.ErrorCode;
import com.erpmax.orchestrator.platform.entity.ServiceException;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.sql.SQLException;

/** Submit a job and read its status. Thin: checks the request, hands off to the store. */
@Path(JobsResource.PATH)
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class JobsResource {

    public static final String PATH = "jobs";

    @Inject
    JobStore store;

    @Inject
    JobHandlers handlers;

    @Inject
    Broker broker;

    @Inject
    OutboxRelay relay;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(JsonValue body, @Context UriInfo uri) throws SQLException {
        if (!(body instanceof JsonObject request)) {
            throw new ServiceException(ErrorCode.INVALID_REQUEST, "The body must be a JSON object such as {\"type\":\"echo\",\"payload\":{}}");
        }
        String type = requiredType(request);
        JsonObject payload = payload(request);
        if (handlers.forType(type).isEmpty()) {
            throw new ServiceException(ErrorCode.UNKNOWN_JOB_TYPE, "No handler for job type '" + type + "'; known types: "
                    + String.join(", ", handlers.types()));
        }
        Job job = store.submit(type, payload.toString(), broker.isConfigured());
        relay.nudge();
        return Response.created(uri.getBaseUriBuilder().path(PATH).path(Long.toString(job.id())).build())
                .entity(JobJson.of(job).toString())
                .build();
    }

    @GET
    @Path("{id}")
    public String find(@PathParam("id") String id) throws SQLException {
        return store.find(parseId(id)).map(JobJson::of)
                .orElseThrow(() -> new ServiceException(ErrorCode.NOT_FOUND, "No job with id " + id))
                .toString();
    }

    private static String requiredType(JsonObject request) {
        JsonValue type = request.get("type");
        if (!(type instanceof JsonString text) || text.getString().isBlank()) {
            throw new ServiceException(ErrorCode.INVALID_REQUEST, "Field 'type' is required and must be a non-empty string");
        }
        return text.getString();
    }

    private static JsonObject payload(JsonObject request) {
        JsonValue payload = request.getOrDefault("payload", JsonValue.EMPTY_JSON_OBJECT);
        if (payload.getValueType() == JsonValue.ValueType.NULL) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        if (!(payload instanceof JsonObject object)) {
            throw new ServiceException(ErrorCode.INVALID_REQUEST, "Field 'payload' must be a JSON object");
        }
        return object;
    }

    private static long parseId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new ServiceException(ErrorCode.NOT_FOUND, "No job with id " + id);
        }
    }
}
