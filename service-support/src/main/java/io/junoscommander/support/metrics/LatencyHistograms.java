package io.junoscommander.support.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Set;

/**
 * Histogram buckets for the latency timers dashboards and alerts draw percentiles from ({@code histogram_quantile} over
 * {@code *_seconds_bucket}). A fixed set of buckets, not Micrometer's percentile histogram (about 70 buckets per series):
 * 13 buckets from 5 ms to 60 s keep the series count per timer small while p50/p95/p99 stay readable from API calls to SSH
 * commands.
 */
@Singleton
public class LatencyHistograms {

    /** Timers that get buckets; their tags are bounded (templated URIs, platforms, outcomes), so the series count is too. */
    static final Set<String> TIMERS = Set.of("http.server.requests", "ssh.command.duration", "ssh.connect.duration",
            "task.device.duration");

    static final double[] BUCKETS = bucketsInNanos(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));

    @Produces
    @Singleton
    MeterFilter latencyBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() != Meter.Type.TIMER || !TIMERS.contains(id.getName())) {
                    return config;
                }
                // fixed buckets replace a percentile histogram a timer may ask for (ssh.command.duration does): ~70 buckets per series
                return DistributionStatisticConfig.builder().percentilesHistogram(false).serviceLevelObjectives(BUCKETS).build()
                        .merge(config);
            }
        };
    }

    private static double[] bucketsInNanos(Duration... bounds) {
        double[] nanos = new double[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            nanos[i] = bounds[i].toNanos();
        }
        return nanos;
    }
}
