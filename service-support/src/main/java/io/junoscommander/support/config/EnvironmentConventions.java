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
 * as {@code host:port,host:port} (Quarkus needs {@code redis://} URIs, {@code rediss://} with {@code REDIS_TLS=true}),
 * {@code LOG_FORMAT=json|console}, and {@code DB_SSL_MODE=verify-full} meaning "check the host name too" for the reactive
 * PostgreSQL client (which wants a separate verification algorithm for that).
 */
// runs before SmallRye's own interceptors, so it sees values with profiles and ${expressions} already resolved
@Priority(Priorities.APPLICATION)
public final class EnvironmentConventions implements ConfigSourceInterceptor {

    private static final long serialVersionUID = 1L;
    static final String REDIS_HOSTS = "quarkus.redis.hosts";
    static final String JSON_LOGS = "quarkus.log.console.json.enabled";
    static final String REDIS_TLS = "quarkus.redis.tls.enabled";
    static final String DB_SSL_MODE = "quarkus.datasource.reactive.postgresql.ssl-mode";
    static final String DB_HOSTNAME_VERIFICATION = "quarkus.datasource.reactive.hostname-verification-algorithm";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (REDIS_HOSTS.equals(name)) {
            ConfigValue hosts = context.proceed(name);
            if (hosts == null || hosts.getValue() == null) {
                return hosts;
            }
            ConfigValue tls = context.proceed(REDIS_TLS);
            boolean encrypted = tls != null && tls.getValue() != null && "true".equalsIgnoreCase(tls.getValue().strip());
            return hosts.withValue(asRedisUris(hosts.getValue(), encrypted));
        }
        if (DB_HOSTNAME_VERIFICATION.equals(name)) {
            ConfigValue algorithm = context.proceed(name);
            ConfigValue mode = context.proceed(DB_SSL_MODE);
            boolean verifyFull = mode != null && mode.getValue() != null && "verify-full".equalsIgnoreCase(mode.getValue().strip());
            return verifyFull && algorithm != null ? algorithm.withValue("HTTPS") : algorithm;
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

    /** {@code host:port} gets a scheme; with TLS a {@code redis://} URI becomes {@code rediss://}, so no host stays plain. */
    static String asRedisUris(String hosts, boolean tls) {
        String scheme = tls ? "rediss://" : "redis://";
        return Arrays.stream(hosts.split(",")).map(String::strip).filter(host -> !host.isEmpty())
                .map(host -> host.contains("://") ? host : scheme + host)
                .map(host -> tls && host.startsWith("redis://") ? scheme + host.substring("redis://".length()) : host)
                .collect(Collectors.joining(","));
    }
}
