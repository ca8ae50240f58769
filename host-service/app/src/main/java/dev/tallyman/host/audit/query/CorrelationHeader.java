package dev.tallyman.host.audit.query;

import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every answer of the audit API carries Tallyman-Correlation-Id, as the Docker routes' answers do: the id
 * under which whatever the request recorded is on the record. A query records nothing today, so its id is its own
 * (an audit policy that records reads would record them under it).
 */
public class CorrelationHeader {
    public static final String NAME = "Tallyman-Correlation-Id";

    @ServerResponseFilter
    public void stamp(ContainerResponseContext response) {
        if (!response.getHeaders().containsKey(NAME)) {
            response.getHeaders().putSingle(NAME, UUID.randomUUID().toString());
        }
    }
}
