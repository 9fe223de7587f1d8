package io.junoscommander.support.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Who this process is: the service, its schema, its version and this replica's id. */
@ConfigMapping(prefix = "junoscommander")
public interface ServiceIdentity {

    /** The service name, e.g. {@code device-service}; also the PostgreSQL application_name. */
    String serviceName();

    /** The PostgreSQL schema this service owns. */
    String schema();

    String version();

    /** This replica: {@code INSTANCE_ID}, else the pod name in Kubernetes, else host name and pid. */
    String instanceId();

    /** Upper bound for each readiness probe of PgBouncer and Redis. */
    @WithDefault("2s")
    Duration healthTimeout();

    /** How often this replica refreshes its row in the instance registry. */
    @WithDefault("10s")
    Duration heartbeatInterval();

    /** How often this replica evaluates its readiness for the readiness metrics (ReadinessMetrics). */
    @WithDefault("15s")
    Duration readinessMetricsInterval();
}
