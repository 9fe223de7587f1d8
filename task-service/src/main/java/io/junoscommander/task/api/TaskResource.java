package io.junoscommander.task.api;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.junoscommander.task.events.TaskEventStreams;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
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
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** {@code /api/v1/tasks}: submit, follow and cancel fan-out jobs. */
@Path("/api/v1/tasks")
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {

    private static final List<String> STATES = List.of("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "PARTIAL", "CANCELLED");

    private final TaskService service;
    private final TaskRepository repository;
    private final SecurityIdentity identity;
    private final TaskEventStreams streams;

    TaskResource(TaskService service, TaskRepository repository, SecurityIdentity identity, TaskEventStreams streams) {
        this.service = service;
        this.repository = repository;
        this.identity = identity;
        this.streams = streams;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    public Uni<Response> submit(@Valid @NotNull TaskRequest request) {
        return service.submit(request, identity.getPrincipal().getName(), identity.getRoles(), null)
                .map(task -> Response.accepted(task).location(URI.create("/api/v1/tasks/" + task.id())).build());
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<List<TaskView>> list(@QueryParam("state") String state, @QueryParam("createdBy") String createdBy,
            @QueryParam("since") String since, @QueryParam("until") String until, @QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("50") int size) {
        if (state != null && !STATES.contains(state.toUpperCase(Locale.ROOT))) {
            throw ProblemException.badRequest("state", "one of " + String.join(", ", STATES));
        }
        if (page < 0 || size < 1 || size > 500) {
            throw ProblemException.badRequest("size", "page >= 0 and size between 1 and 500");
        }
        return repository.list(state == null ? null : state.toUpperCase(Locale.ROOT), createdBy, time("since", since), time("until", until),
                page, size);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Roles.VIEWER)
    public Uni<TaskView> get(@PathParam("id") UUID id) {
        return service.get(id);
    }

    @GET
    @Path("/{id}/results")
    @RolesAllowed(Roles.VIEWER)
    public Uni<List<DeviceResultView>> results(@PathParam("id") UUID id, @QueryParam("state") String state,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("100") int size) {
        if (page < 0 || size < 1 || size > 1000) {
            throw ProblemException.badRequest("size", "page >= 0 and size between 1 and 1000");
        }
        return service.get(id).flatMap(task -> repository.results(id, state == null ? null : state.toUpperCase(Locale.ROOT), page, size));
    }

    @POST
    @Path("/{id}/cancel")
    @RolesAllowed(Roles.OPERATOR)
    public Uni<TaskView> cancel(@PathParam("id") UUID id) {
        return service.cancel(id);
    }

    /**
     * Server-Sent Events, each with an id: {@code progress} (the state and counts), one {@code device} event per device
     * finished (from any replica, through Redis; the id is the result's number in the task's event sequence), and
     * {@code final} with the end state and counts, after which the stream closes. {@code Last-Event-ID} resumes after that
     * device event: the ones missed are sent from the database, then {@code progress}. See {@link TaskEventStreams}.
     */
    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(Roles.VIEWER)
    public Multi<OutboundSseEvent> events(@PathParam("id") UUID id, @HeaderParam("Last-Event-ID") String lastEventId, @Context Sse sse) {
        return streams.follow(id, eventId(lastEventId), sse);
    }

    /** A {@code Last-Event-ID} this service gave (a non-negative number); anything else is ignored, as a fresh connection. */
    private static Long eventId(String value) {
        if (value == null || value.isBlank() || value.length() > 18 || !value.strip().chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.parseLong(value.strip());
    }

    private static OffsetDateTime time(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(name, "an ISO-8601 time with offset, e.g. 2026-11-22T10:00:00Z");
        }
    }
}
