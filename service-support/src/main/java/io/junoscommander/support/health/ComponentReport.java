package io.junoscommander.support.health;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/** What one probe of a dependency found: up or down, through what, how fast, and pool figures where known. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ComponentReport(String name, String status, String via, String address, long responseTimeMs, String error,
        Map<String, Object> details) {

    public static ComponentReport up(String name, String via, String address, long responseTimeMs, Map<String, Object> details) {
        return new ComponentReport(name, "UP", via, address, responseTimeMs, null, details);
    }

    public static ComponentReport down(String name, String via, String address, long responseTimeMs, String error) {
        return new ComponentReport(name, "DOWN", via, address, responseTimeMs, error, Map.of());
    }

    @JsonIgnore
    public boolean isUp() {
        return "UP".equals(status);
    }

    HealthCheckResponse toHealthResponse() {
        return toHealthResponse(isUp(), null);
    }

    /** A check whose status is {@code up} whatever this probe found, which it gives as boolean data {@code probeKey}. */
    HealthCheckResponse toHealthResponse(boolean up, String probeKey) {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(name).status(up).withData("via", via)
                .withData("responseTimeMs", responseTimeMs);
        if (probeKey != null) {
            builder.withData(probeKey, isUp());
        }
        if (address != null) {
            builder.withData("address", address);
        }
        if (error != null) {
            builder.withData("error", error);
        }
        return builder.build();
    }
}
