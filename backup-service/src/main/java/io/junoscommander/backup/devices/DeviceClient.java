package io.junoscommander.backup.devices;

import io.junoscommander.support.security.InternalTokenMinter;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Reads from the device service as the backup service itself (an internal token minted for {@value #USER}, role viewer).
 * Both calls are reads, so transport failures are retried; a device's own failure ({@link DeviceServiceProblem} about the
 * device) is an answer, neither retried nor counted by the breaker.
 */
@ApplicationScoped
public class DeviceClient {

    static final String USER = "backup-service";

    private final DeviceServiceApi api;
    private final InternalTokenMinter minter;

    DeviceClient(@RestClient DeviceServiceApi api, InternalTokenMinter minter) {
        this.api = api;
        this.minter = minter;
    }

    public boolean canAuthenticate() {
        return minter.canMint();
    }

    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 500, abortOn = DeviceServiceProblem.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS,
            skipOn = DeviceServiceProblem.class)
    @CircuitBreakerName("device-service-inventory")
    public Uni<DeviceServiceApi.DevicePage> enabledDevices(int page, int size) {
        return api.enabledDevices(bearer(), true, page, size);
    }

    /** The device service bounds the SSH work itself (its command timeout); this is the outer net. */
    @Timeout(value = 120, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 1, delay = 500, abortOn = DeviceServiceProblem.class)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS,
            skipOn = DeviceServiceProblem.class)
    @CircuitBreakerName("device-service-config")
    public Uni<DeviceServiceApi.RunningConfig> runningConfig(UUID deviceId) {
        return api.runningConfig(bearer(), deviceId);
    }

    private String bearer() {
        return "Bearer " + minter.mint(USER, Set.of("viewer"));
    }
}
