package io.junoscommander.device.ssh;

import io.junoscommander.support.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;

/** A device's running configuration: viewers read it, admins change it. */
@Path("/api/v1/devices/{id}/config")
@Produces(MediaType.APPLICATION_JSON)
public class ConfigResource {

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
    public Uni<ConfigPushResult> push(@PathParam("id") UUID id, @Valid @NotNull ConfigPushRequest request) {
        return service.push(id, request, identity.getPrincipal().getName());
    }

    @POST
    @Path("/confirm")
    @RolesAllowed(Roles.ADMIN)
    public Uni<ConfigPushResult> confirm(@PathParam("id") UUID id) {
        return service.confirm(id, identity.getPrincipal().getName());
    }
}
