package io.junoscommander.device.credential;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code /api/v1/credentials}: everyone may see which credentials exist; only admins change them; nobody reads a secret. */
@Path("/api/v1/credentials")
@Produces(MediaType.APPLICATION_JSON)
public class CredentialResource {

    private final CredentialService service;
    private final CredentialRepository repository;

    CredentialResource(CredentialService service, CredentialRepository repository) {
        this.service = service;
        this.repository = repository;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<List<Credential.View>> list() {
        return repository.list().map(all -> all.stream().map(Credential::view).toList());
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Roles.VIEWER)
    public Uni<Credential.View> get(@PathParam("id") UUID id) {
        return repository.find(id).map(found -> found.orElseThrow(() -> ProblemException.notFound("credential " + id)).view());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Uni<Response> create(@Valid @NotNull CredentialRequest request) {
        return service.create(request)
                .map(created -> Response.created(URI.create("/api/v1/credentials/" + created.id())).entity(created.view()).build());
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Uni<Credential.View> replace(@PathParam("id") UUID id, @Valid @NotNull CredentialRequest request) {
        return service.replace(id, request).map(Credential::view);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return service.delete(id).replaceWith(Response.noContent().build());
    }

    /** After adding a new master key and making it active: moves every secret under it, so old keys can be retired. */
    @POST
    @Path("/re-encrypt")
    @RolesAllowed(Roles.ADMIN)
    public Uni<Map<String, Object>> reencrypt() {
        return service.reencryptUnderActiveKey().map(moved -> Map.of("reencrypted", moved, "activeKeyId", service.activeKeyId()));
    }
}
