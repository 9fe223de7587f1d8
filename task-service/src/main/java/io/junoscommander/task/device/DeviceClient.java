package io.junoscommander.task.device;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junoscommander.support.security.InternalTokenMinter;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.core.http.HttpClientResponse;
import io.vertx.mutiny.core.parsetools.RecordParser;
import jakarta.ws.rs.WebApplicationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
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
    private final HttpClient http;
    private final String fanoutUrl;
    private final ObjectMapper json;

    DeviceClient(@RestClient DeviceServiceApi api, InternalTokenMinter minter, Vertx vertx, ObjectMapper json,
            @ConfigProperty(name = "quarkus.rest-client.device-service.url") String baseUrl) {
        this.api = api;
        this.minter = minter;
        this.json = json;
        this.fanoutUrl = baseUrl.replaceAll("/+$", "") + "/api/v1/devices/commands";
        // the streaming fan-out is read line by line as devices finish, which the declarative REST client does not offer
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000), new PoolOptions().setHttp1MaxSize(64));
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

    /**
     * Runs the commands on many devices of one task in a single call to the device service's streaming fan-out: one result
     * per device, as each finishes. A call the device service refuses fails with a {@link WebApplicationException} carrying
     * its status; a lost connection, a 5xx or an open breaker fails otherwise (the caller offers those devices again later).
     */
    public Multi<DeviceDtos.RunResult> runMany(String user, List<UUID> deviceIds, List<String> commands, int timeoutSeconds,
            int concurrency) {
        Buffer body;
        try {
            body = Buffer.buffer(json.writeValueAsBytes(new DeviceDtos.FanoutRequest(deviceIds, commands, timeoutSeconds, concurrency)));
        } catch (JsonProcessingException e) {
            return Multi.createFrom().failure(e);
        }
        return openFanout(bearer(user, Set.of("operator")), body).onItem()
                .transformToMulti(response -> RecordParser.newDelimited("\n", response).toMulti())
                .filter(line -> line.length() > 0).map(this::decode);
    }

    /**
     * Opens the fan-out stream, guarded like {@link #run}: the breaker counts connection failures and 5xx answers, not a
     * refusal of the request. The response comes back paused so that no line is lost before the caller reads it.
     */
    @Timeout(value = 2, unit = ChronoUnit.HOURS)
    @Bulkhead(value = 1000, waitingTaskQueue = 100_000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS,
            skipOn = jakarta.ws.rs.WebApplicationException.class)
    @CircuitBreakerName("device-service-fanout")
    Uni<HttpClientResponse> openFanout(String authorization, Buffer body) {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(fanoutUrl)
                .putHeader("Authorization", authorization).putHeader("Content-Type", "application/json")
                .putHeader("Accept", "application/x-ndjson");
        return http.request(request).flatMap(sent -> sent.send(body)).flatMap(response -> {
            if (response.statusCode() == 200) {
                response.pause();
                return Uni.createFrom().item(response);
            }
            return response.body().onItem().transformToUni(text -> Uni.createFrom().failure(response.statusCode() >= 500
                    ? new IllegalStateException("device service answered " + response.statusCode() + ": " + text)
                    : new WebApplicationException(text.toString(), response.statusCode())));
        });
    }

    private DeviceDtos.RunResult decode(Buffer line) {
        try {
            return json.readValue(line.getBytes(), DeviceDtos.RunResult.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable result line from the device service: " + e.getMessage(), e);
        }
    }

    private String bearer(String user, Set<String> roles) {
        return "Bearer " + minter.mint(user, roles);
    }
}
