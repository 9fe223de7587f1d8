package io.junoscommander.task.task;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.junoscommander.task.queue.TaskEvents;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.json.JsonObject;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
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
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code /api/v1/tasks}: submit, follow and cancel fan-out jobs. */
@Path("/api/v1/tasks")
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {

    private static final List<String> STATES = List.of("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "PARTIAL", "CANCELLED");

    private final TaskService service;
    private final TaskRepository repository;
    private final TaskEvents events;
    private final SecurityIdentity identity;

    TaskResource(TaskService service, TaskRepository repository, TaskEvents events, SecurityIdentity identity) {
        this.service = service;
        this.repository = repository;
        this.events = events;
        this.identity = identity;
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
     * Server-Sent Events: {@code progress} (the state on connect), one {@code device} event per device finished (from any
     * replica, through Redis), and {@code final} with the end state, after which the stream closes.
     */
    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(Roles.VIEWER)
    public Multi<OutboundSseEvent> events(@PathParam("id") UUID id, @Context Sse sse) {
        Multi<JsonObject> live = events.subscribe(id).map(JsonObject::new);
        // pub/sub is fire-and-forget: a slow check of the stored state makes sure the end is never missed
        Multi<JsonObject> ended = Multi.createFrom().ticks().every(Duration.ofSeconds(2)).onItem()
                .transformToUniAndConcatenate(tick -> service.get(id)).filter(TaskView::isFinal).map(TaskResource::finalEvent);
        Multi<JsonObject> stream = service.get(id).onItem().transformToMulti(task -> task.isFinal()
                ? Multi.createFrom().items(progress(task), finalEvent(task))
                : Multi.createBy().concatenating().streams(Multi.createFrom().item(progress(task)),
                        Multi.createBy().merging().streams(live, ended)));
        return Multi.createFrom().emitter(emitter -> {
            AtomicBoolean done = new AtomicBoolean();
            Cancellable upstream = stream.subscribe().with(event -> {
                if (done.get()) {
                    return;
                }
                emitter.emit(sse.newEventBuilder().name(event.getString("type")).mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(event.encode()).build());
                if ("final".equals(event.getString("type")) && done.compareAndSet(false, true)) {
                    emitter.complete();
                }
            }, emitter::fail, emitter::complete);
            emitter.onTermination(upstream::cancel);
        });
    }

    private static JsonObject progress(TaskView task) {
        return new JsonObject().put("type", "progress").put("taskId", task.id().toString()).put("state", task.state())
                .put("counts", task.counts());
    }

    private static JsonObject finalEvent(TaskView task) {
        return new JsonObject().put("type", "final").put("taskId", task.id().toString()).put("state", task.state())
                .put("counts", task.counts());
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
