package io.junoscommander.support.config;

import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.RedisOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * TLS to Redis and the Sentinels ({@code REDIS_TLS}, {@code REDIS_TLS_CA_FILE}) for the connections a service opens itself
 * (health probes asking a Sentinel, the backup service's one-off commands and its {@code redis-cli}); the pooled Quarkus
 * client gets the same from {@code quarkus.redis.tls.*}. The certificate must chain to the CA file (or to the JVM's trusted
 * CAs when none is given) and name the host connected to.
 */
@ApplicationScoped
public class RedisTls {

    private final boolean enabled;
    private final Optional<String> authority;

    RedisTls(@ConfigProperty(name = "quarkus.redis.tls.enabled", defaultValue = "false") boolean enabled,
            @ConfigProperty(name = "quarkus.redis.tls.trust-certificate-pem.certs") Optional<List<String>> authority) {
        this.enabled = enabled;
        this.authority = authority.flatMap(paths -> paths.stream().map(String::strip).filter(path -> !path.isEmpty()).findFirst());
    }

    public boolean enabled() {
        return enabled;
    }

    /** {@code rediss://host:port} with TLS, {@code redis://host:port} without. */
    public String uri(String hostAndPort) {
        return (enabled ? "rediss://" : "redis://") + hostAndPort;
    }

    /** Adds the TLS settings to a client's options (nothing without TLS); returns them. */
    public RedisOptions secure(RedisOptions options) {
        if (enabled) {
            NetClientOptions net = options.getNetClientOptions();
            net.setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
            authority.ifPresent(path -> net.setTrustOptions(new PemTrustOptions().addCertPath(path)));
        }
        return options;
    }

    /** {@code redis-cli}'s arguments for the same: {@code --tls} and the CA file. */
    public List<String> redisCliArguments() {
        List<String> arguments = new ArrayList<>();
        if (enabled) {
            arguments.add("--tls");
            authority.ifPresent(path -> arguments.addAll(List.of("--cacert", path)));
        }
        return arguments;
    }
}
