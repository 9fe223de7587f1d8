package io.junoscommander.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.PackagedService;
import io.junoscommander.infra.testing.SharedInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the Redis master under steady authenticated load through two packaged gateway replicas: no request fails
 * (known sessions are served from each replica's cache while Sentinel fails over, rate limits fall back to local buckets),
 * a login during the outage is answered 200 or 503 with Retry-After, never 500, and once the replicas have subscribed again
 * to invalidations on the new master, a logout on one replica is refused by the other within a second or two. The cache's
 * background confirmation is set to 60 s here, so only the pushed invalidation can end the session that fast.
 */
class RedisFailoverIT {

    private static final int RATE_PER_REPLICA = 15;
    private static final Pattern SUBSCRIBED = Pattern.compile("(?m)^gateway_invalidations_subscribed(?:\\{[^}]*})? ([0-9.]+)");
    private static final Pattern RESUBSCRIBED = Pattern.compile("(?m)^gateway_invalidations_resubscriptions_total(?:\\{[^}]*})? ([0-9.]+)");

    private final InfraHarness infra = SharedInfra.harness();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<PackagedService> gateways = new ArrayList<>();
    private ScheduledExecutorService load;

    @Test
    void noRequestFailsWhileRedisFailsOverAndALogoutReachesTheOtherReplica() throws Exception {
        PackagedService a = start("a");
        PackagedService b = start("b");
        String loadSession = login(a);
        // sessions live in Redis: one made on A works on B
        assertThat(status(b, "GET", "/api/v1/auth/me", loadSession)).isEqualTo(200);

        double normalReach = logoutReach(a, b);
        System.out.printf("Redis failover IT: in normal operation a logout on one replica reached the other in %.0f ms%n", normalReach);

        AtomicInteger sent = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        AtomicLong slowest = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long loadStart = System.nanoTime();
        load = Executors.newScheduledThreadPool(2);
        for (PackagedService gateway : List.of(a, b)) {
            load.scheduleAtFixedRate(() -> {
                sent.incrementAndGet();
                long t0 = System.nanoTime();
                http.sendAsync(request(gateway, "GET", "/api/v1/auth/me", loadSession), HttpResponse.BodyHandlers.ofString())
                        .whenComplete((response, error) -> {
                            long tookMs = (System.nanoTime() - t0) / 1_000_000;
                            slowest.accumulateAndGet(tookMs, Math::max);
                            double at = (System.nanoTime() - loadStart) / 1e9;
                            if (error != null) {
                                failures.add(String.format("%.2f s %s: %s", at, gateway.name(), error));
                            } else if (response.statusCode() != 200) {
                                failures.add(String.format("%.2f s %s: HTTP %d %s", at, gateway.name(), response.statusCode(),
                                        response.body()));
                            } else {
                                ok.incrementAndGet();
                            }
                        });
            }, 0, 1000 / RATE_PER_REPLICA, TimeUnit.MILLISECONDS);
        }
        Thread.sleep(3000);

        String oldMaster = infra.redisMaster();
        long killedAt = System.nanoTime();
        int killedPort = infra.killRedisMaster();
        List<String> loginAnswers = new ArrayList<>();
        List<String> unknownSessionAnswers = new ArrayList<>();
        String unknown = "jcs_" + java.util.UUID.randomUUID().toString().replace("-", "") + "0123456789a";
        double failoverSeconds;
        double resubscribedSeconds;
        try {
            // logins during the outage: 200, or 503 problem+json with Retry-After; never anything else
            while (oldMaster.equals(masterOrEmpty())) {
                loginAnswers.add(loginAnswer(a));
                // a session this replica never saw: 401 while Redis answers, else 503 (it cannot know), on its own API and routed
                unknownSessionAnswers.add(answer(b, "/api/v1/auth/me", unknown) + " / " + answer(b, "/api/v1/devices", unknown));
                assertThat(System.nanoTime() - killedAt).isLessThan(Duration.ofSeconds(90).toNanos());
                Thread.sleep(500);
            }
            failoverSeconds = (System.nanoTime() - killedAt) / 1e9;
            Awaiting.until(Duration.ofSeconds(60), () -> resubscribed(a) && resubscribed(b));
            resubscribedSeconds = (System.nanoTime() - killedAt) / 1e9;
            Thread.sleep(3000);
        } finally {
            load.shutdown();
            load.awaitTermination(10, TimeUnit.SECONDS);
            infra.startRedis(killedPort);
        }
        // the last requests of the load are answered (or time out)
        Awaiting.until(Duration.ofSeconds(15), () -> ok.get() + failures.size() == sent.get());
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        System.out.printf("Redis failover IT: %d requests through 2 replicas in %.1f s (%d/s each), %d answered 200, %d failed; "
                + "slowest %d ms; Sentinel named a new master %.1f s after kill -9, both replicas subscribed again after %.1f s%n",
                sent.get(), loadSeconds, RATE_PER_REPLICA, ok.get(), failures.size(), slowest.get(), failoverSeconds,
                resubscribedSeconds);
        System.out.printf("Redis failover IT: logins during the outage answered %s%n", loginAnswers);
        System.out.printf("Redis failover IT: an unknown session during the outage was answered %s%n", unknownSessionAnswers);
        failures.forEach(f -> System.out.println("  failed: " + f));
        assertThat(failures).isEmpty();
        assertThat(ok.get()).isEqualTo(sent.get());
        assertThat(loginAnswers).allMatch(answer -> answer.equals("200") || answer.equals("503 problem+json Retry-After"));
        assertThat(unknownSessionAnswers).allMatch(answer -> answer.matches("(401 problem\\+json|503 problem\\+json Retry-After)"
                + " / (401 problem\\+json|503 problem\\+json Retry-After)"));
        // the load's session, made on the old master, still works everywhere
        assertThat(status(a, "GET", "/api/v1/auth/me", loadSession)).isEqualTo(200);
        assertThat(status(b, "GET", "/api/v1/auth/me", loadSession)).isEqualTo(200);

        double afterFailoverReach = logoutReach(a, b);
        System.out.printf("Redis failover IT: after the failover a logout on one replica reached the other in %.0f ms%n",
                afterFailoverReach);
        assertThat(normalReach).isLessThan(1000);
        assertThat(afterFailoverReach).isLessThan(2000);
        infra.awaitSentinels();
    }

    /** A fresh session used on both replicas (so both have it cached), logged out on {@code a}: ms until {@code b} refuses it. */
    private double logoutReach(PackagedService a, PackagedService b) throws Exception {
        String session = login(a);
        assertThat(status(b, "GET", "/api/v1/auth/me", session)).isEqualTo(200);
        assertThat(status(a, "GET", "/api/v1/auth/me", session)).isEqualTo(200);
        assertThat(status(a, "POST", "/api/v1/auth/logout", session)).isEqualTo(204);
        long loggedOut = System.nanoTime();
        while (status(b, "GET", "/api/v1/auth/me", session) != 401) {
            assertThat(System.nanoTime() - loggedOut).as("logout not honoured by the other replica").isLessThan(10_000_000_000L);
            Thread.sleep(10);
        }
        double reach = (System.nanoTime() - loggedOut) / 1e6;
        assertThat(status(a, "GET", "/api/v1/auth/me", session)).isEqualTo(401);
        return reach;
    }

    private PackagedService start(String name) {
        PackagedService gateway = PackagedService.of("gateway-service").name("gateway-failover-" + name)
                .environment(PackagedService.testEnvironment()).environment(Map.of("ADMIN_USERNAME", "admin", "ADMIN_PASSWORD",
                        Api.ADMIN_PASSWORD, "DEVICE_SERVICE_URL", "http://127.0.0.1:1", "CREDENTIAL_CACHE_REFRESH", "60s",
                        "CREDENTIAL_CACHE_TTL", "120s")).start();
        gateways.add(gateway);
        return gateway;
    }

    private String login(PackagedService gateway) throws Exception {
        HttpResponse<String> response = http.send(loginRequest(gateway), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Matcher token = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(response.body());
        assertThat(token.find()).isTrue();
        return token.group(1);
    }

    private String loginAnswer(PackagedService gateway) throws Exception {
        return describe(http.send(loginRequest(gateway), HttpResponse.BodyHandlers.ofString()));
    }

    private String answer(PackagedService gateway, String path, String token) throws Exception {
        return describe(http.send(request(gateway, "GET", path, token), HttpResponse.BodyHandlers.ofString()));
    }

    private static String describe(HttpResponse<String> response) {
        boolean problem = response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json");
        if (response.statusCode() == 401) {
            return "401" + (problem ? " problem+json" : "");
        }
        if (response.statusCode() == 503) {
            boolean retryAfter = response.headers().firstValue("Retry-After").isPresent();
            return "503" + (problem ? " problem+json" : "") + (retryAfter ? " Retry-After" : "");
        }
        return Integer.toString(response.statusCode());
    }

    private static HttpRequest loginRequest(PackagedService gateway) {
        return HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/auth/login")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + Api.ADMIN_PASSWORD + "\"}")).build();
    }

    private static HttpRequest request(PackagedService gateway, String method, String path, String token) {
        return HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build();
    }

    private int status(PackagedService gateway, String method, String path, String token) throws Exception {
        return http.send(request(gateway, method, path, token), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String masterOrEmpty() {
        try {
            return infra.redisMaster();
        } catch (IllegalStateException e) {
            return "";
        }
    }

    /** Subscribed to invalidations on the new master: the subscription was lost and made again. */
    private boolean resubscribed(PackagedService gateway) {
        try {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(gateway.managementUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher subscribed = SUBSCRIBED.matcher(metrics);
            Matcher again = RESUBSCRIBED.matcher(metrics);
            return subscribed.find() && Double.parseDouble(subscribed.group(1)) == 1 && again.find()
                    && Double.parseDouble(again.group(1)) >= 1;
        } catch (Exception e) {
            return false;
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (load != null) {
            load.shutdownNow();
        }
        for (PackagedService gateway : gateways) {
            gateway.close();
        }
    }
}
