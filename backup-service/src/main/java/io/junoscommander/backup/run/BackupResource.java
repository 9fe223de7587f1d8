package io.junoscommander.backup.run;

import io.junoscommander.backup.catalog.BackupCatalog;
import io.junoscommander.backup.catalog.BackupKind;
import io.junoscommander.backup.catalog.BackupRun;
import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The backup catalog: viewers read it, operators take backups now. */
@Path("/api/v1/backups")
@Produces(MediaType.APPLICATION_JSON)
public class BackupResource {

    private static final Set<String> STATUSES = Set.of(BackupRun.RUNNING, BackupRun.SUCCEEDED, BackupRun.FAILED);

    private final BackupCatalog catalog;
    private final BackupRunner runner;
    private final SecurityIdentity identity;

    BackupResource(BackupCatalog catalog, BackupRunner runner, SecurityIdentity identity) {
        this.catalog = catalog;
        this.runner = runner;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<List<BackupView>> list(@QueryParam("kind") String kind, @QueryParam("status") String status,
            @QueryParam("limit") @DefaultValue("100") int limit, @QueryParam("offset") @DefaultValue("0") int offset) {
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.badRequest("status", "one of running, succeeded, failed");
        }
        if (limit < 1 || limit > 1000) {
            throw ProblemException.badRequest("limit", "between 1 and 1000");
        }
        if (offset < 0) {
            throw ProblemException.badRequest("offset", "0 or more");
        }
        Optional<BackupKind> wanted = Optional.ofNullable(kind).map(k -> BackupKind.fromWire("kind", k));
        return catalog.list(wanted, Optional.ofNullable(status), limit, offset)
                .map(runs -> runs.stream().map(run -> BackupView.of(run, null)).toList());
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Roles.VIEWER)
    public Uni<BackupView> get(@PathParam("id") UUID id) {
        return catalog.find(id).flatMap(run -> catalog.files(id).map(files -> BackupView.of(run, files)));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    public Uni<Response> start(@Valid @NotNull BackupRequest request) {
        BackupKind kind = BackupKind.fromWire("kind", request.kind());
        // relative, as the caller (through the gateway) sees the path; location() would add this service's own address
        return runner.start(kind, "api", identity.getPrincipal().getName()).map(run -> Response.accepted(BackupView.of(run, null))
                .header("Location", "/api/v1/backups/" + run.id).build());
    }
}
