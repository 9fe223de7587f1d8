package io.junoscommander.support.instance;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.List;

/** {@code GET /api/v1/instances}: the replicas of this service that reported recently. */
@Path("/api/v1/instances")
@RolesAllowed(Roles.VIEWER)
@Produces(MediaType.APPLICATION_JSON)
public class InstanceResource {

    private static final int MAX_WINDOW_SECONDS = 86_400;

    private final InstanceRegistry registry;

    InstanceResource(InstanceRegistry registry) {
        this.registry = registry;
    }

    @GET
    public Uni<List<ServiceInstance>> list(@QueryParam("activeWithinSeconds") String activeWithinSeconds) {
        return registry.seenWithin(Duration.ofSeconds(windowSeconds(activeWithinSeconds)));
    }

    /** Parsed here rather than by JAX-RS, which answers an unparsable query parameter with 404. */
    private static int windowSeconds(String value) {
        if (value == null || value.isBlank()) {
            return 60;
        }
        int seconds;
        try {
            seconds = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("activeWithinSeconds", "must be a whole number of seconds");
        }
        if (seconds < 1 || seconds > MAX_WINDOW_SECONDS) {
            throw ProblemException.badRequest("activeWithinSeconds", "must be between 1 and " + MAX_WINDOW_SECONDS);
        }
        return seconds;
    }
}
