package io.junoscommander.gateway.token;

import io.junoscommander.gateway.security.GatewayPrincipal;
import io.junoscommander.gateway.security.SecurityLog;
import io.junoscommander.gateway.security.Tokens;
import io.junoscommander.gateway.session.Invalidations;
import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * API tokens for automation. Anyone signed in manages their own, with a role no higher than theirs; admins see and revoke
 * everyone's. The token is shown once, at creation.
 */
@Path("/api/v1/tokens")
@RolesAllowed(Roles.VIEWER)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tokens", description = "API tokens for automation")
public class ApiTokenResource {

    private static final int MAX_DAYS = 366;

    private final ApiTokenRepository tokens;
    private final SecurityIdentity identity;
    private final Invalidations invalidations;

    ApiTokenResource(ApiTokenRepository tokens, SecurityIdentity identity, Invalidations invalidations) {
        this.tokens = tokens;
        this.identity = identity;
        this.invalidations = invalidations;
    }

    public record NewToken(@NotBlank @Size(max = 100) String name, @NotBlank String role,
            @Min(1) @Max(MAX_DAYS) Integer expiresInDays, @Min(1) Integer rateLimitPerMinute) {
    }

    /** The creation answer: the only time the token itself is shown. */
    public record CreatedToken(String token, ApiToken details) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create an API token (viewer+) with a role up to your own; the token is in this answer only")
    public Uni<Response> create(@Valid @NotNull NewToken request) {
        GatewayPrincipal principal = GatewayPrincipal.of(identity);
        if (!Roles.ALL.contains(request.role())) {
            throw ProblemException.badRequest("role", "must be one of " + Roles.ALL);
        }
        if (!principal.has(request.role())) {
            throw ProblemException.badRequest("role", "cannot exceed your own role (" + principal.role() + ")");
        }
        if (GatewayPrincipal.API_TOKEN.equals(principal.credential())) {
            throw new ProblemException(403, "forbidden", "Forbidden", "API tokens cannot create API tokens; log in", List.of());
        }
        String token = Tokens.newApiToken();
        OffsetDateTime expiresAt = request.expiresInDays() == null ? null
                : OffsetDateTime.now(ZoneOffset.UTC).plusDays(request.expiresInDays());
        return tokens.insert(request.name(), principal.username(), request.role(), Tokens.sha256(token), request.rateLimitPerMinute(),
                expiresAt).map(created -> {
                    SecurityLog.LOG.infof("api token created id=%s user=%s role=%s", created.id(), created.username(), created.role());
                    return Response.status(201).entity(new CreatedToken(token, created)).build();
                });
    }

    @GET
    @Operation(summary = "Your API tokens (viewer+); admins: ?all=true for everyone's")
    public Uni<List<ApiToken>> list(@QueryParam("all") boolean all) {
        GatewayPrincipal principal = GatewayPrincipal.of(identity);
        if (all && !principal.has(Roles.ADMIN)) {
            throw new io.quarkus.security.ForbiddenException();
        }
        return tokens.list(all ? null : principal.username());
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke an API token (yours; admin: anyone's). 404 when unknown")
    public Uni<Response> revoke(@PathParam("id") String id) {
        GatewayPrincipal principal = GatewayPrincipal.of(identity);
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("token " + id);
        }
        return tokens.find(uuid).flatMap(found -> {
            if (found.isEmpty() || !(found.get().username().equals(principal.username()) || principal.has(Roles.ADMIN))) {
                return Uni.createFrom().failure(ProblemException.notFound("token " + id));
            }
            // every replica drops the token from its cache (pushed through Redis)
            return tokens.revoke(uuid).call(ok -> invalidations.token(uuid.toString()))
                    .invoke(ok -> SecurityLog.LOG.infof("api token revoked id=%s user=%s by=%s", id,
                    found.get().username(), principal.username())).map(ok -> Response.noContent().build());
        });
    }
}
