package io.junoscommander.gateway.routing;

import io.junoscommander.gateway.GatewayConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP client (keep-alive pool) and one named circuit breaker (SmallRye Fault Tolerance) per upstream service; the
 * breaker state is a gauge.
 */
@ApplicationScoped
public class Upstreams {

    /** An upstream: its base address, its client and its breaker. */
    public record Upstream(String name, URI base, HttpClient client, UpstreamBreaker breaker, GatewayConfig.Upstream config) {
    }

    private final Map<String, Upstream> upstreams = new LinkedHashMap<>();

    Upstreams(GatewayConfig config, Vertx vertx, MeterRegistry meters) {
        config.upstreams().forEach((name, upstream) -> {
            URI base = URI.create(upstream.url().replaceAll("/+$", ""));
            HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(2_000)
                    .setDefaultHost(base.getHost()).setDefaultPort(base.getPort() > 0 ? base.getPort() : 80)
                    .setSsl("https".equals(base.getScheme())).setName("upstream-" + name);
            HttpClient client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(200).setMaxWaitQueueSize(1_000));
            UpstreamBreaker breaker = new UpstreamBreaker(name, upstream.failureThreshold(), upstream.openDuration());
            Gauge.builder("gateway.upstream.circuit.state", breaker, UpstreamBreaker::gauge).tag("upstream", name)
                    .description("circuit breaker state per upstream: 0 closed, 1 open, 2 half-open").register(meters);
            upstreams.put(name, new Upstream(name, base, client, breaker, upstream));
        });
    }

    public Upstream get(String name) {
        return upstreams.get(name);
    }

    public Map<String, Upstream> all() {
        return Map.copyOf(upstreams);
    }

    @PreDestroy
    void close() {
        upstreams.values().forEach(u -> u.client().close());
    }
}
