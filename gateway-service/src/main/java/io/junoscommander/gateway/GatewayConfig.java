package io.junoscommander.gateway;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Everything an operator tunes on the gateway; each value has a plain environment variable (README table). */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    Admin admin();

    Session session();

    Login login();

    Password password();

    RateLimit rateLimit();

    /** Upstream services by name ({@code device-service}, …). */
    Map<String, Upstream> upstreams();

    /** Routes by name: a path prefix routed to an upstream. */
    Map<String, Route> routes();

    /** The first admin, created at first start when no user of that name exists. */
    interface Admin {
        Optional<String> username();

        Optional<String> password();

        /** A mounted secret holding the password (wins over {@code password}). */
        Optional<String> passwordFile();
    }

    interface Session {
        /** Sliding: every use extends the session by this much. */
        @WithDefault("8h")
        Duration ttl();

        @WithDefault("JC_SESSION")
        String cookieName();

        /** At login, how long to wait for a Redis replica to acknowledge the new session (survives a failover). */
        @WithDefault("500ms")
        Duration replicationWait();

        /** The local cache of sessions and API tokens in each replica, in front of Redis and PostgreSQL. */
        Cache cache();
    }

    interface Cache {
        /** Most credentials (sessions and API tokens) one replica keeps; beyond it the oldest confirmed go first. */
        @WithDefault("10000")
        int maxSize();

        /**
         * A cached credential used after this long since Redis (or PostgreSQL) last confirmed it is confirmed again in the
         * background, which also slides the session's expiry and stamps its last use.
         */
        @WithDefault("5s")
        Duration refresh();

        /**
         * The longest a credential is served without a confirmation: while Redis is unreachable, known sessions are served
         * from the cache this long after their last confirmation, then refused with 503.
         */
        @WithDefault("60s")
        Duration ttl();
    }

    interface Login {
        @WithDefault("5")
        int maxFailuresPerUser();

        @WithDefault("20")
        int maxFailuresPerAddress();

        @WithDefault("15m")
        Duration failureWindow();

        @WithDefault("15m")
        Duration lockout();

        /** Delay added to the second and later failures, doubling each time (capped at 16 times this). */
        @WithDefault("250ms")
        Duration slowdownBase();
    }

    interface Password {
        @WithDefault("12")
        int minLength();

        @WithDefault("19456")
        int memoryKib();

        @WithDefault("2")
        int iterations();
    }

    interface RateLimit {
        /** Sustained requests per minute per user or API token. */
        @WithDefault("1200")
        int perMinute();

        /** Bucket size: requests allowed at once. */
        @WithDefault("200")
        int burst();

        /**
         * Each replica takes from a local bucket per user or token and reconciles it with the shared bucket in Redis this
         * often (what it used, what is left for everyone).
         */
        @WithDefault("200ms")
        Duration syncInterval();
    }

    interface Upstream {
        String url();

        /** Consecutive failures (connection error, timeout, 5xx) that open the breaker. */
        @WithDefault("5")
        int failureThreshold();

        /** How long an open breaker refuses calls before one trial call. */
        @WithDefault("10s")
        Duration openDuration();

        /**
         * Where the upstream answers readiness: its management interface, e.g. {@code http://device:9081/health/ready}
         * (health is not served on a service's API port). Without it, {@code url} + {@code readiness-path}.
         */
        Optional<String> healthUrl();

        @WithDefault("/health/ready")
        String readinessPath();

        /** Where the upstream describes its API (OpenAPI, merged into the gateway's document); {@code none}: it does not. */
        @WithDefault("/openapi")
        String openapiPath();
    }

    interface Route {
        /** e.g. {@code /api/v1/devices}: the prefix itself and everything below it. */
        String prefix();

        /** Name of an entry in {@code upstreams}. */
        String upstream();

        /** Replaces the prefix in the upstream path (default: the path is forwarded unchanged). */
        Optional<String> rewrite();

        /** Until the upstream's response headers arrive (a stream may then run longer). */
        @WithDefault("30s")
        Duration timeout();

        /** Extra attempts for GET, HEAD and OPTIONS without a body, on connection errors and 502/503/504. */
        @WithDefault("2")
        int retries();

        @WithDefault("viewer")
        String readRole();

        @WithDefault("admin")
        String writeRole();

        /**
         * Largest request body, by its Content-Length, refused with 413 before anything is proxied (JSON routes need far less
         * than the services' 10 MiB). The bulk operations of {@link io.junoscommander.gateway.routing.RouteTable#LARGE_BODIES}
         * (inventory import, config push) take {@code large-body-size} instead.
         */
        @WithDefault("1M")
        MemorySize maxBodySize();

        @WithDefault("10M")
        MemorySize largeBodySize();
    }
}
