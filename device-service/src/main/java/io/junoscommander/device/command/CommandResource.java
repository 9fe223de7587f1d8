package io.junoscommander.device.command;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Runs CLI commands on devices (operators and admins). */
@Path("/api/v1/devices")
@Consumes(MediaType.APPLICATION_JSON)
public class CommandResource {

    private final DeviceCommandService service;

    CommandResource(DeviceCommandService service) {
        this.service = service;
    }

    @POST
    @Path("/{id}/commands")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    public Uni<DeviceRunResult> runOne(@PathParam("id") UUID id, @Valid @NotNull CommandRequest request) {
        return service.run(id, request.commands(), timeout(request));
    }

    /** The same over many devices; the whole list as one JSON array once every device has answered. */
    @POST
    @Path("/commands")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    public Uni<List<DeviceRunResult>> runMany(@Valid @NotNull CommandRequest request) {
        return stream(request).collect().asList();
    }

    /** The same, streamed: one JSON object per line as each device finishes ({@code Accept: application/x-ndjson}). */
    @POST
    @Path("/commands")
    @Produces("application/x-ndjson")
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    public Multi<DeviceRunResult> runManyStreamed(@Valid @NotNull CommandRequest request) {
        return stream(request);
    }

    private Multi<DeviceRunResult> stream(CommandRequest request) {
        if (request.deviceIds() == null || request.deviceIds().isEmpty()) {
            throw ProblemException.badRequest("deviceIds", "name at least one device");
        }
        int concurrency = request.concurrency() == null ? service.config().defaultFanoutConcurrency()
                : Math.min(request.concurrency(), service.config().maxConcurrentDevices());
        return service.runMany(request.deviceIds(), request.commands(), timeout(request), concurrency);
    }

    private Duration timeout(CommandRequest request) {
        return request.timeoutSeconds() == null ? service.config().commandTimeout() : Duration.ofSeconds(request.timeoutSeconds());
    }
}
