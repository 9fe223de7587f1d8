package io.junoscommander.support.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentConventionsTest {

    private static final String SHARED_TLS_LINES = """
            quarkus.redis.hosts=${REDIS_SENTINEL_NODES:127.0.0.1:26379}
            quarkus.redis.tls.enabled=${REDIS_TLS:false}
            quarkus.datasource.reactive.postgresql.ssl-mode=${DB_SSL_MODE:disable}
            quarkus.datasource.reactive.hostname-verification-algorithm=NONE
            """;

    @Test
    void plainSentinelAddressesBecomeRedisUrisAndNoHostNameIsCheckedByDefault() {
        SmallRyeConfig config = config(Map.of("REDIS_SENTINEL_NODES", "10.0.0.1:26379, 10.0.0.2:26379"));
        assertThat(config.getValue("quarkus.redis.hosts", String.class)).isEqualTo("redis://10.0.0.1:26379,redis://10.0.0.2:26379");
        assertThat(config.getValue("quarkus.datasource.reactive.hostname-verification-algorithm", String.class)).isEqualTo("NONE");
    }

    @Test
    void redisTlsMakesEverySentinelAddressRedissEvenOneWrittenAsRedisUri() {
        SmallRyeConfig config = config(Map.of("REDIS_SENTINEL_NODES", "sentinel-0:26379,redis://sentinel-1:26379", "REDIS_TLS", "true"));
        assertThat(config.getValue("quarkus.redis.hosts", String.class)).isEqualTo("rediss://sentinel-0:26379,rediss://sentinel-1:26379");
    }

    @Test
    void verifyFullChecksTheHostNameAndRequireDoesNot() {
        assertThat(config(Map.of("DB_SSL_MODE", "verify-full")).getValue("quarkus.datasource.reactive.hostname-verification-algorithm",
                String.class)).isEqualTo("HTTPS");
        assertThat(config(Map.of("DB_SSL_MODE", "require")).getValue("quarkus.datasource.reactive.hostname-verification-algorithm",
                String.class)).isEqualTo("NONE");
    }

    private static SmallRyeConfig config(Map<String, String> environment) {
        Map<String, String> properties = new HashMap<>();
        SHARED_TLS_LINES.lines().map(line -> line.split("=", 2)).forEach(pair -> properties.put(pair[0], pair[1]));
        properties.putAll(environment);
        // with the default interceptors, as Quarkus builds it: ${expressions} are resolved before EnvironmentConventions sees them
        return new SmallRyeConfigBuilder().addDefaultInterceptors().withInterceptors(new EnvironmentConventions())
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build();
    }
}
