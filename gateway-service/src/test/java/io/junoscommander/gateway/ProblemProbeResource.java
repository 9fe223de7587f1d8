package io.junoscommander.gateway;

import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Test-only endpoints that exercise the shared problem+json mappers with a JSON body and an unexpected failure. */
@Path("/test/problems")
@PermitAll
public class ProblemProbeResource {

    /** A body with constraints like the real APIs' request records. */
    public record Endpoint(@NotBlank String name, @Min(1) @Max(65535) int port) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Endpoint echo(@Valid Endpoint endpoint) {
        return endpoint;
    }

    @GET
    @Path("/failure")
    public String failure() {
        throw new IllegalStateException("internal detail: password=hunter2 at db.example:5432");
    }
}
