package com.erpmax.orchestrator.platform.boundary;

import com.erpmax.orchestrator.platform.entity.ErrorCode;
import com.erpmax.orchestrator.platform.entity.ServiceException;

import jakarta.json.JsonException;
import jakarta.json.bind.JsonbException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every failure of a request becomes a problem document: our refusals with their code, HTTP
 * errors of the JAX-RS runtime with their status, malformed JSON as 400, and anything else as
 * a 500 whose detail is only an incident id (the stack trace goes to the log, never to clients).
 */
@Provider
public class ProblemMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class.getName());

    @Override
    public Response toResponse(Throwable error) {
        ServiceException refusal = find(error, ServiceException.class);
        if (refusal != null) {
            return Problems.of(refusal.code(), refusal.getMessage()).build();
        }
        if (find(error, JsonException.class) != null || find(error, JsonbException.class) != null) {
            return Problems.of(ErrorCode.MALFORMED_JSON, "The request body is not valid JSON").build();
        }
        if (error instanceof WebApplicationException http && http.getResponse().getStatus() < 500) {
            Response.ResponseBuilder problem = Problems.of(http.getResponse().getStatusInfo(), http.getMessage());
            http.getResponse().getHeaders().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("Content-Type")) {
                    values.forEach(value -> problem.header(name, value));
                }
            });
            return problem.build();
        }
        String incident = UUID.randomUUID().toString();
        LOG.log(Level.SEVERE, "Request failed, incident " + incident, error);
        return Problems.of(ErrorCode.INTERNAL, "Internal error; incident " + incident + " is in the server log").build();
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
