package io.junoscommander.support.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Lets operators use the plain forms the README documents where Quarkus wants another shape: {@code REDIS_SENTINEL_NODES}
 * as {@code host:port,host:port} (Quarkus needs {@code redis://} URIs) and {@code LOG_FORMAT=json|console}.
 */
// runs before SmallRye's own interceptors, so it sees values with profiles and ${expressions} already resolved
@Priority(Priorities.APPLICATION)
public final class EnvironmentConventions implements ConfigSourceInterceptor {

    private static final long serialVersionUID = 1L;
    static final String REDIS_HOSTS = "quarkus.redis.hosts";
    static final String JSON_LOGS = "quarkus.log.console.json.enabled";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (REDIS_HOSTS.equals(name)) {
            ConfigValue hosts = context.proceed(name);
            return hosts == null || hosts.getValue() == null ? hosts : hosts.withValue(asRedisUris(hosts.getValue()));
        }
        if (JSON_LOGS.equals(name)) {
            ConfigValue format = context.proceed("LOG_FORMAT");
            if (format != null && format.getValue() != null && !format.getValue().isBlank()) {
                ConfigValue json = context.proceed(name);
                String enabled = Boolean.toString("json".equalsIgnoreCase(format.getValue().strip()));
                return json == null ? format.from().withName(name).withValue(enabled).build() : json.withValue(enabled);
            }
        }
        return context.proceed(name);
    }

    static String asRedisUris(String hosts) {
        return Arrays.stream(hosts.split(",")).map(String::strip).filter(host -> !host.isEmpty())
                .map(host -> host.contains("://") ? host : "redis://" + host).collect(Collectors.joining(","));
    }
}
