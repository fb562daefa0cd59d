package com.erpmax.orchestrator.jobs.boundary;

import com.erpmax.orchestrator.jobs.control.JobHandlers;
import com.erpmax.orchestrator.jobs.control.JobMetrics;
import com.erpmax.orchestrator.jobs.control.JobStore;
import com.erpmax.orchestrator.jobs.control.OutboxRelay;
import com.erpmax.orchestrator.jobs.entity.JobPage;
import com.erpmax.orchestrator.jobs.entity.JobStatus;
import com.erpmax.orchestrator.jobs.entity.JobSubmission;
import com.erpmax.orchestrator.platform.control.Broker;
import com.erpmax.orchestrator.platform.control.Jsons;
import com.erpmax.orchestrator.platform.entity.ErrorCode;
import com.erpmax.orchestrator.platform.entity.ServiceException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;

import java.sql.SQLException;

/**
 * The jobs API. Thin: checks the request, hands off to the store, renders the job. One instance
 * for all requests (request-scoped, Weld built and injected it per request: about a tenth of a
 * submit's CPU); per-request state comes in as method parameters.
 */
@Path(JobsResource.PATH)
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class JobsResource {

    public static final String PATH = "jobs";
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    @Inject
    JobStore store;

    @Inject
    JobHandlers handlers;

    @Inject
    Broker broker;

    @Inject
    OutboxRelay relay;

    @Inject
    JobMetrics metrics;

    /** 201 with the new job; 200 with the existing one when the same Idempotency-Key and request come again. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(JsonValue body, @HeaderParam("Idempotency-Key") String idempotencyKey, @Context UriInfo uri)
            throws SQLException {
        JobSubmission submission = SubmissionReader.read(body, idempotencyKey);
        if (handlers.forType(submission.type()).isEmpty()) {
            throw new ServiceException(ErrorCode.UNKNOWN_JOB_TYPE, "No handler for job type '" + submission.type()
                    + "'; known types: " + String.join(", ", handlers.types()));
        }
        JobStore.Submitted submitted = store.submit(submission, broker.isConfigured());
        if (!submitted.created()) {
            return Response.ok(JobJson.of(submitted.job()).toString()).build();
        }
        relay.nudge();
        metrics.submitted(submission.type());
        return Response.created(uri.getBaseUriBuilder().path(PATH).path(Long.toString(submitted.job().id())).build())
                .entity(JobJson.of(submitted.job()).toString())
                .build();
    }

    @GET
    @Path("{id}")
    public String find(@PathParam("id") String id) throws SQLException {
        long jobId = parseId(id);
        return store.find(jobId).map(JobJson::of)
                .orElseThrow(() -> new ServiceException(ErrorCode.NOT_FOUND, "No job with id " + id))
                .toString();
    }

    /** Newest first; {@code next} continues after the last job of this page. */
    @GET
    public String list(@QueryParam("status") String status, @QueryParam("type") String type,
                       @QueryParam("limit") String limit, @QueryParam("after") String after, @Context UriInfo uri) throws SQLException {
        int pageSize = limit == null ? DEFAULT_LIMIT : boundedInt("limit", limit, 1, MAX_LIMIT);
        Long afterId = after == null ? null : (long) boundedInt("after", after, 1, Integer.MAX_VALUE);
        JobPage page = store.list(status == null ? null : parseStatus(status), type, pageSize, afterId);
        JsonArrayBuilder jobs = Jsons.arrayBuilder();
        page.jobs().forEach(job -> jobs.add(JobJson.of(job)));
        JsonObjectBuilder json = Jsons.objectBuilder().add("jobs", jobs);
        if (page.nextAfter() != null) {
            UriBuilder next = uri.getRequestUriBuilder().replaceQueryParam("after", page.nextAfter())
                    .replaceQueryParam("limit", pageSize);
            json.add("next", next.build().toString());
        }
        return json.build().toString();
    }

    /** Cancels a job waiting to run; 409 once it runs or has finished. */
    @POST
    @Path("{id}/cancel")
    public String cancel(@PathParam("id") String id) throws SQLException {
        return JobJson.of(store.cancel(parseId(id))).toString();
    }

    /** Runs a dead or cancelled job again from attempt 1; 409 otherwise. */
    @POST
    @Path("{id}/retry")
    public String retry(@PathParam("id") String id) throws SQLException {
        String json = JobJson.of(store.retry(parseId(id), broker.isConfigured())).toString();
        relay.nudge();
        return json;
    }

    private static JobStatus parseStatus(String status) {
        try {
            return JobStatus.of(status);
        } catch (IllegalArgumentException e) {
            throw new ServiceException(ErrorCode.INVALID_REQUEST, "Query parameter 'status' must be one of "
                    + "queued, running, succeeded, failed, dead, cancelled");
        }
    }

    private static int boundedInt(String name, String text, int min, int max) {
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ServiceException(ErrorCode.INVALID_REQUEST, "Query parameter '" + name + "' must be an integer from " + min + " to " + max);
    }

    private static long parseId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new ServiceException(ErrorCode.NOT_FOUND, "No job with id " + id);
        }
    }
}
