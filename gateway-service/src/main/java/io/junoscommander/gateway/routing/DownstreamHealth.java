package io.junoscommander.gateway.routing;

import io.junoscommander.support.config.ServiceIdentity;
import io.junoscommander.support.health.ComponentContributor;
import io.junoscommander.support.health.ComponentReport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Each upstream's readiness (its {@code health-url}, on the upstream's management interface) on the gateway's
 * {@code /health/detailed}, with its circuit breaker state.
 */
@ApplicationScoped
public class DownstreamHealth implements ComponentContributor {

    private final Upstreams upstreams;
    private final ServiceIdentity identity;

    DownstreamHealth(Upstreams upstreams, ServiceIdentity identity) {
        this.upstreams = upstreams;
        this.identity = identity;
    }

    @Override
    public Uni<List<ComponentReport>> components() {
        List<Uni<ComponentReport>> probes = upstreams.all().values().stream().sorted((a, b) -> a.name().compareTo(b.name()))
                .map(this::probe).toList();
        return Uni.join().all(probes).andCollectFailures();
    }

    private Uni<ComponentReport> probe(Upstreams.Upstream upstream) {
        String name = "downstream:" + upstream.name();
        String address = upstream.base().toString();
        long start = System.nanoTime();
        URI health = readinessUri(upstream);
        boolean ssl = "https".equals(health.getScheme());
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(health.getHost())
                .setPort(health.getPort() > 0 ? health.getPort() : ssl ? 443 : 80).setSsl(ssl).setURI(health.getRawPath())
                .setIdleTimeout(identity.healthTimeout().toMillis()).setConnectTimeout(identity.healthTimeout().toMillis());
        Uni<Integer> status = Uni.createFrom().completionStage(() -> upstream.client().request(options)
                .compose(request -> request.send().compose(response -> response.body().map(body -> response.statusCode())))
                .toCompletionStage());
        return status.ifNoItem().after(identity.healthTimeout()).fail().map(code -> {
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (code == 200) {
                return ComponentReport.up(name, "http", address, ms, Map.of("circuit", upstream.breaker().state().name()));
            }
            return ComponentReport.down(name, "http", address, ms, "readiness answered " + code);
        }).onFailure().recoverWithItem(e -> ComponentReport.down(name, "http", address, (System.nanoTime() - start) / 1_000_000,
                e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())));
    }

    static URI readinessUri(Upstreams.Upstream upstream) {
        return upstream.config().healthUrl().map(URI::create)
                .orElseGet(() -> URI.create(upstream.base() + upstream.config().readinessPath()));
    }
}
