package dev.tallyman.host.audit.query;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Errors of the audit API in Docker's shape, {"message": ...}, with Docker's status codes. */
public class AuditErrors {
    private static final Logger LOG = Logger.getLogger(AuditErrors.class);

    @ServerExceptionMapper
    public Response badFilter(BadFilterException e) {
        return answer(400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return answer(404, "page not found");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        return answer(status, String.valueOf(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response other(Exception e) {
        LOG.errorf(e, "audit query: %s", e.getMessage());
        return answer(500, String.valueOf(e.getMessage()));
    }

    static Response answer(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(EventJson.write(Map.of("message", message))).build();
    }
}
