package dev.tallyman.host.audit.query;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * {@code GET /tallyman/v1/events}: the record, filtered, a page at a time; with {@code follow=true}, the
 * matching events after {@code after} as JSON lines, then every later one as it is committed.
 */
@Path("/events")
public class EventsResource {
    @Inject
    EventQuery query;

    @Inject
    EventFollow followers;

    @GET
    // Streamed as written (chunks): a page is one JSON document, a follow is one JSON document per line.
    @Produces("text/plain")
    @Operation(summary = "Events of the record: intents, outcomes, runtime facts and refusals",
            description = "Answers {\"events\": [...], \"next\": position or null}; with follow=true, JSON lines"
                    + " (application/x-ndjson) from after, then each event as it is committed, with no gap and no"
                    + " duplicate.")
    @APIResponse(responseCode = "200", description = "a page, or with follow a stream of JSON lines", content = {
            @Content(mediaType = "application/json"), @Content(mediaType = "application/x-ndjson")})
    @APIResponse(responseCode = "400", description = "a filter that cannot be read",
            content = @Content(mediaType = "application/json"))
    public Multi<String> events(
            @Parameter(description = "a stream id, e.g. container-<id>") @QueryParam("stream") String stream,
            @Parameter(description = "an event type, e.g. container.started; repeatable") @QueryParam("type") List<String> type,
            @Parameter(description = "the client's uid") @QueryParam("actor_uid") String actorUid,
            @Parameter(description = "a user name or TLS subject") @QueryParam("actor") String actor,
            @Parameter(description = "a request's correlation id") @QueryParam("correlation") String correlation,
            @Parameter(description = "RFC 3339 or Unix seconds, inclusive") @QueryParam("since") String since,
            @Parameter(description = "RFC 3339 or Unix seconds, inclusive") @QueryParam("until") String until,
            @Parameter(description = "only events after this position") @QueryParam("after") String after,
            @Parameter(description = "page size, 1 to 10000, default 100") @QueryParam("limit") String limit,
            @Parameter(description = "keep the answer open and stream events as JSON lines") @QueryParam("follow") String follow,
            @Context UriInfo uri) {
        EventFilter filter = EventFilter.parse(uri.getQueryParameters());
        if (filter.follow()) {
            return RestMulti.fromMultiData(followers.lines(filter)).header("Content-Type", "application/x-ndjson")
                    .header(CorrelationHeader.NAME, java.util.UUID.randomUUID().toString()).status(200).build();
        }
        Uni<String> page = query.page(filter).map(events -> {
            boolean more = events.size() > filter.limit();
            List<StoredEvent> shown = more ? events.subList(0, filter.limit()) : events;
            return EventJson.page(shown, more ? shown.get(shown.size() - 1).position : null);
        });
        // a streamed answer's headers go out before response filters run: it names its correlation itself
        return RestMulti.fromMultiData(page.toMulti()).header("Content-Type", "application/json")
                .header(CorrelationHeader.NAME, java.util.UUID.randomUUID().toString()).status(200).build();
    }
}
