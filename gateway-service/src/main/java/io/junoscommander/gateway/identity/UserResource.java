package io.junoscommander.gateway.identity;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** User administration (admin only). */
@Path("/api/v1/users")
@RolesAllowed(Roles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "users", description = "User administration (admin)")
public class UserResource {

    private final UserService users;

    UserResource(UserService users) {
        this.users = users;
    }

    public record NewUser(@NotBlank @Pattern(regexp = "[A-Za-z0-9._@-]{1,64}") String username, @NotNull String password,
            @NotBlank String role) {
    }

    public record UserChange(String role, Boolean enabled, String password) {
    }

    @GET
    @Operation(summary = "List users (admin)")
    public Uni<List<User>> list(@QueryParam("limit") Integer limit, @QueryParam("offset") Integer offset) {
        int size = limit == null ? 100 : limit;
        int skip = offset == null ? 0 : offset;
        if (size < 1 || size > 1000) {
            throw ProblemException.badRequest("limit", "must be between 1 and 1000");
        }
        if (skip < 0) {
            throw ProblemException.badRequest("offset", "must not be negative");
        }
        return users.list(size, skip);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a user (admin). 409 when the name is taken")
    public Uni<Response> create(@Valid @NotNull NewUser user) {
        return users.create(user.username(), user.password(), user.role())
                .map(created -> Response.created(URI.create("/api/v1/users/" + created.username())).entity(created).build());
    }

    @GET
    @Path("/{username}")
    @Operation(summary = "One user (admin). 404 when unknown")
    public Uni<User> get(@PathParam("username") String username) {
        return users.find(username).map(found -> found.orElseThrow(() -> ProblemException.notFound("user " + username)));
    }

    @PATCH
    @Path("/{username}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change role, enable/disable, reset password (admin); the user's sessions end")
    public Uni<User> update(@PathParam("username") String username, @NotNull UserChange change) {
        return users.update(username, change.role(), change.enabled(), change.password())
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("user " + username)));
    }

    @DELETE
    @Path("/{username}")
    @Operation(summary = "Delete a user (admin); their sessions end and their API tokens go with them")
    public Uni<Response> delete(@PathParam("username") String username) {
        return users.delete(username).map(deleted -> {
            if (!deleted) {
                throw ProblemException.notFound("user " + username);
            }
            return Response.noContent().build();
        });
    }
}
