package io.junoscommander.device.configuration;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.requestid.RequestIds;
import io.junoscommander.support.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import java.util.regex.Pattern;

/** A device's running configuration: viewers read it, admins change it. */
@Path("/api/v1/devices/{id}/config")
@Produces(MediaType.APPLICATION_JSON)
public class ConfigResource {

    /** Set by the task service on the calls it makes for a task; recorded in the change ledger. */
    public static final String TASK_ID_HEADER = "X-Task-Id";
    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final ConfigService service;
    private final SecurityIdentity identity;

    ConfigResource(ConfigService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<ConfigService.RunningConfig> fetch(@PathParam("id") UUID id) {
        return service.fetch(id);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Uni<ConfigPushResult> push(@PathParam("id") UUID id, @Valid @NotNull ConfigPushRequest request,
            @HeaderParam(RequestIds.HEADER) String requestId, @HeaderParam(TASK_ID_HEADER) String taskId) {
        return service.push(id, request, origin(requestId, taskId));
    }

    @POST
    @Path("/confirm")
    @RolesAllowed(Roles.ADMIN)
    public Uni<ConfigPushResult> confirm(@PathParam("id") UUID id, @HeaderParam(RequestIds.HEADER) String requestId,
            @HeaderParam(TASK_ID_HEADER) String taskId) {
        return service.confirm(id, origin(requestId, taskId));
    }

    private ConfigService.PushOrigin origin(String requestId, String taskId) {
        if (taskId != null && !TASK_ID.matcher(taskId).matches()) {
            throw ProblemException.badRequest(TASK_ID_HEADER, "a task id: letters, digits, '.', '_', ':' or '-', at most 64");
        }
        return new ConfigService.PushOrigin(identity.getPrincipal().getName(), requestId, taskId);
    }
}
