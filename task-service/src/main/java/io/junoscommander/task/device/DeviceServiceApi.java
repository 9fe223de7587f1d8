package io.junoscommander.task.device;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The device service's API as task-service uses it; wrapped by {@link DeviceClient}, which carries the fault tolerance. */
@RegisterRestClient(configKey = "device-service")
@Path("/api/v1/devices")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
interface DeviceServiceApi {

    @POST
    @Path("/resolve")
    Uni<DeviceDtos.Resolution> resolve(@HeaderParam("Authorization") String authorization, DeviceDtos.TargetSelector selector);

    @POST
    @Path("/{id}/commands")
    Uni<DeviceDtos.RunResult> run(@HeaderParam("Authorization") String authorization, @PathParam("id") UUID deviceId,
            DeviceDtos.CommandRequest request);
}
