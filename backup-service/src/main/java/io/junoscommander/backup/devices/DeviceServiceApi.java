package io.junoscommander.backup.devices;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The device service's API as the backup service reads it; wrapped by {@link DeviceClient}, which carries the fault tolerance. */
@RegisterRestClient(configKey = "device-service")
@Path("/api/v1/devices")
@Produces(MediaType.APPLICATION_JSON)
interface DeviceServiceApi {

    /** A device as listed (fields this service does not use are ignored). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Device(UUID id, String name, String platform, boolean enabled) {
    }

    /** One page of the inventory. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record DevicePage(List<Device> items, long total, int page, int size) {
    }

    /** A running configuration in {@code display set} form. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record RunningConfig(UUID deviceId, String deviceName, String format, String content, String sha256, OffsetDateTime fetchedAt) {
    }

    @GET
    Uni<DevicePage> enabledDevices(@HeaderParam("Authorization") String authorization, @QueryParam("enabled") boolean enabled,
            @QueryParam("page") int page, @QueryParam("size") int size);

    @GET
    @Path("/{id}/config")
    Uni<RunningConfig> runningConfig(@HeaderParam("Authorization") String authorization, @PathParam("id") UUID deviceId);

    /**
     * A refusal or a device's failure becomes a {@link DeviceServiceProblem} carrying the problem's type and detail; any other
     * 5xx is the device service failing, which the breaker counts.
     */
    @ClientExceptionMapper
    static RuntimeException toProblem(Response response) {
        String type = null;
        String detail = null;
        try {
            String body = response.readEntity(String.class);
            JsonNode problem = new ObjectMapper().readTree(body);
            type = problem.path("type").asText(null);
            detail = problem.path("detail").asText(null);
        } catch (RuntimeException | java.io.IOException unreadable) {
            // not problem+json (a proxy's page): the status tells enough
        }
        DeviceServiceProblem problem = new DeviceServiceProblem(response.getStatus(), type, detail);
        return problem.aboutTheDevice() ? problem : new IllegalStateException(problem.getMessage());
    }
}
