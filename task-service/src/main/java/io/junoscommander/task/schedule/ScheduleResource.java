package io.junoscommander.task.schedule;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;

/** {@code /api/v1/schedules}: viewers read, operators manage. */
@Path("/api/v1/schedules")
@Produces(MediaType.APPLICATION_JSON)
public class ScheduleResource {

    private final ScheduleService service;
    private final ScheduleRepository repository;
    private final SecurityIdentity identity;

    ScheduleResource(ScheduleService service, ScheduleRepository repository, SecurityIdentity identity) {
        this.service = service;
        this.repository = repository;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<List<ScheduleView>> list() {
        return repository.list();
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Roles.VIEWER)
    public Uni<ScheduleView> get(@PathParam("id") UUID id) {
        return repository.find(id).map(found -> found.orElseThrow(() -> ProblemException.notFound("schedule " + id)));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    public Uni<Response> create(@Valid @NotNull ScheduleRequest request) {
        return service.create(request, identity.getPrincipal().getName())
                .map(created -> Response.created(URI.create("/api/v1/schedules/" + created.id())).entity(created).build());
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    public Uni<ScheduleView> replace(@PathParam("id") UUID id, @Valid @NotNull ScheduleRequest request) {
        return service.replace(id, request, identity.getPrincipal().getName());
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.OPERATOR)
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return repository.delete(id).map(deleted -> {
            if (!deleted) {
                throw ProblemException.notFound("schedule " + id);
            }
            return Response.noContent().build();
        });
    }

    @GET
    @Path("/{id}/runs")
    @RolesAllowed(Roles.VIEWER)
    public Uni<List<ScheduleRepository.Run>> runs(@PathParam("id") UUID id, @QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw ProblemException.badRequest("limit", "between 1 and 1000");
        }
        return get(id).flatMap(found -> repository.runs(id, limit));
    }
}
