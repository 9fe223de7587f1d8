package io.junoscommander.task.device;

import io.junoscommander.support.security.InternalTokenMinter;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Calls to the device service on behalf of a task's submitter, with an internal token minted for that user. Resolution is
 * a read and is retried; running commands is not (a command may change a device), only bounded and guarded by a breaker.
 */
@ApplicationScoped
public class DeviceClient {

    private final DeviceServiceApi api;
    private final InternalTokenMinter minter;

    DeviceClient(@RestClient DeviceServiceApi api, InternalTokenMinter minter) {
        this.api = api;
        this.minter = minter;
    }

    /** Tasks run without a caller at hand (workers, schedules): without the signing key not one could, so refuse to start. */
    void requireSigningKey(@Observes StartupEvent event) {
        if (!minter.canMint()) {
            throw new IllegalStateException("INTERNAL_TOKEN_PRIVATE_KEY is not set: the task service signs the internal token it calls"
                    + " the device service with on a task submitter's behalf");
        }
    }

    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 300, retryOn = {jakarta.ws.rs.ProcessingException.class, java.net.ConnectException.class,
            org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException.class})
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS,
            skipOn = jakarta.ws.rs.WebApplicationException.class)
    @CircuitBreakerName("device-service-resolve")
    public Uni<DeviceDtos.Resolution> resolve(String user, Set<String> roles, DeviceDtos.TargetSelector selector) {
        return api.resolve(bearer(user, roles), selector);
    }

    /** The device service bounds each command itself; this timeout is only the outer safety net. */
    @Timeout(value = 2, unit = ChronoUnit.HOURS)
    @Bulkhead(value = 1000, waitingTaskQueue = 100_000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS,
            skipOn = jakarta.ws.rs.WebApplicationException.class)
    @CircuitBreakerName("device-service-commands")
    public Uni<DeviceDtos.RunResult> run(String user, UUID deviceId, List<String> commands, int timeoutSeconds) {
        return api.run(bearer(user, Set.of("operator")), deviceId, new DeviceDtos.CommandRequest(commands, timeoutSeconds));
    }

    private String bearer(String user, Set<String> roles) {
        return "Bearer " + minter.mint(user, roles);
    }
}
