package io.junoscommander.infra.testing;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a test of a service's graceful shutdown watches once it has sent SIGTERM ({@link #sigterm}): when readiness turned
 * DOWN, how the API answered new requests while the process stopped, and when it exited, all in milliseconds since the
 * signal. The assertions stay in each test; the service-specific work in flight is the test's own.
 */
public final class GracefulShutdown {

    private final PackagedService service;
    private final long sigtermNanos;

    private GracefulShutdown(PackagedService service) {
        this.service = service;
        this.sigtermNanos = System.nanoTime();
    }

    /** One request made while the service shuts down: HTTP status (-1: connection refused or reset) and content type. */
    public record Probe(long atMs, int status, String contentType, String body) {

        /** Answered 200, or refused cleanly: 503 problem+json, or no connection at all. */
        public boolean answeredOrRefusedCleanly() {
            return status == 200 || status == -1 || status == 503 && contentType.startsWith("application/problem+json");
        }
    }

    /** Sends SIGTERM to {@code service} now; the clock of every figure starts here. */
    public static GracefulShutdown sigterm(PackagedService service) {
        GracefulShutdown shutdown = new GracefulShutdown(service);
        service.terminate();
        return shutdown;
    }

    /** Milliseconds since SIGTERM. */
    public long elapsedMs() {
        return (System.nanoTime() - sigtermNanos) / 1_000_000;
    }

    /** Polls readiness until it is no longer 200; milliseconds since SIGTERM, or -1 when it stayed up for {@code within}. */
    public long awaitReadinessDown(Duration within) throws InterruptedException {
        while (elapsedMs() < within.toMillis()) {
            if (PackagedService.status(service.managementUrl() + "/health/ready") != 200) {
                return elapsedMs();
            }
            Thread.sleep(20);
        }
        return -1;
    }

    /** Sleeps until {@code delay} (e.g. the shutdown delay plus a margin) has passed since SIGTERM. */
    public void sleepUntil(Duration delay) throws InterruptedException {
        Thread.sleep(Math.max(0, delay.toMillis() - elapsedMs()));
    }

    /** Sends a request every 100 ms on a fresh connection, as new clients would, until the process has exited. */
    public List<Probe> probeUntilExit(Supplier<HttpRequest> request) throws InterruptedException {
        List<Probe> probes = new ArrayList<>();
        while (service.isAlive()) {
            probes.add(probe(request.get()));
            Thread.sleep(100);
        }
        return probes;
    }

    /** One request on a fresh connection (HTTP/1.1, one-second connect timeout). */
    public Probe probe(HttpRequest request) throws InterruptedException {
        long at = elapsedMs();
        try {
            HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(1)).build().send(request, HttpResponse.BodyHandlers.ofString());
            return new Probe(at, response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
        } catch (IOException refused) {
            return new Probe(at, -1, "", refused.toString());
        }
    }

    /** Waits for the process to exit; milliseconds since SIGTERM, or -1 when it still runs after {@code within}. */
    public long awaitExit(Duration within) {
        return service.awaitExit(within.minusMillis(elapsedMs())) ? elapsedMs() : -1;
    }
}
