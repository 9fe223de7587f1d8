package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.testing.GracefulShutdown;
import io.junoscommander.infra.testing.GracefulShutdown.Probe;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.PackagedService;
import io.junoscommander.lab.DeviceLab;
import io.junoscommander.lab.LabConfig;
import io.junoscommander.lab.LabDevice;
import io.junoscommander.lab.fault.Fault;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown of the packaged gateway, as Kubernetes does it (SIGTERM), with a shutdown delay and timeout: readiness
 * turns DOWN at once, a device command it is proxying to a slow lab device (through the real device service) succeeds, new
 * requests are answered during the delay and then refused cleanly (connection refused or a 503 problem, never another
 * 5xx), and the process is gone within the delay plus the timeout. Runs in {@code verify} after the jars are built.
 */
class GatewayShutdownIT {

    private static final Duration DELAY = Duration.ofSeconds(3);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final long DEVICE_LATENCY_MS = 6000;

    private final List<AutoCloseable> started = new ArrayList<>();

    @Test
    void sigtermLetsAProxiedSlowDeviceCommandFinishAndRefusesNewRequestsCleanly() throws Exception {
        DeviceLab lab = DeviceLab.start(LabConfig.builder().devices(1).build());
        started.add(lab);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        PackagedService device = PackagedService.of("device-service").name("device-service-for-shutdown")
                .environment(PackagedService.testEnvironment())
                .environment("CREDENTIAL_KEYS", "it:" + Base64.getEncoder().encodeToString(key)).start();
        started.add(device);
        PackagedService gateway = PackagedService.of("gateway-service").name("gateway-shutdown")
                .environment(PackagedService.testEnvironment()).environment(Map.of("ADMIN_USERNAME", "admin", "ADMIN_PASSWORD",
                        Api.ADMIN_PASSWORD, "DEVICE_SERVICE_URL", device.url(), "DEVICE_SERVICE_HEALTH_URL",
                        device.managementUrl() + "/health/ready", "TASK_SERVICE_URL", "http://127.0.0.1:1", "BACKUP_SERVICE_URL",
                        "http://127.0.0.1:1", "SHUTDOWN_DELAY", DELAY.toSeconds() + "s", "SHUTDOWN_TIMEOUT", TIMEOUT.toSeconds() + "s"))
                .start();
        started.add(gateway);

        LabDevice labDevice = lab.devices().get(0);
        String internal = InternalTokens.bearer("it-admin", "admin");
        String credential = given().baseUri(device.url()).header("Authorization", internal).contentType("application/json")
                .body(Map.of("name", "lab", "username", "lab", "password", "lab")).when().post("/api/v1/credentials").then().statusCode(201)
                .extract().path("id");
        String deviceId = given().baseUri(device.url()).header("Authorization", internal).contentType("application/json")
                .body(Map.of("name", labDevice.name(), "host", labDevice.host(), "port", labDevice.port(), "platform", "junos", "site",
                        "ams1", "credentialId", credential)).when().post("/api/v1/devices").then().statusCode(201).extract().path("id");
        String token = given().baseUri(gateway.url()).contentType("application/json").body(Map.of("username", "admin", "password",
                Api.ADMIN_PASSWORD)).when().post("/api/v1/auth/login").then().statusCode(200).extract().path("token");
        labDevice.setFault(Fault.latency(DEVICE_LATENCY_MS));

        HttpClient http = HttpClient.newHttpClient();
        HttpRequest command = HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/devices/" + deviceId + "/commands"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString("{\"commands\":[\"show version\"]}")).build();
        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(command, HttpResponse.BodyHandlers.ofString());
        // the command is on its way to the device (which answers after DEVICE_LATENCY_MS)
        Thread.sleep(1500);
        assertThat(inFlight).isNotDone();

        GracefulShutdown shutdown = GracefulShutdown.sigterm(gateway);
        long readinessDownMs = shutdown.awaitReadinessDown(Duration.ofSeconds(5));
        List<Probe> probes = shutdown.probeUntilExit(() -> HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/auth/me"))
                .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + token).build());
        long exitMs = shutdown.awaitExit(DELAY.plus(TIMEOUT).plusSeconds(10));

        HttpResponse<String> answer = inFlight.get(30, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as("the command in flight at SIGTERM").isEqualTo(200);
        JsonPath result = new JsonPath(answer.body());
        assertThat(result.getBoolean("ok")).isTrue();
        assertThat(readinessDownMs).as("readiness DOWN soon after SIGTERM").isBetween(0L, 1000L);
        // the JVM's own exit after the shutdown's last step gets a second
        assertThat(exitMs).as("exit after SIGTERM").isBetween(0L, DELAY.plus(TIMEOUT).toMillis() + 1000);
        assertThat(probes).as("answers while shutting down").allMatch(Probe::answeredOrRefusedCleanly);
        assertThat(probes).as("refused once the delay is over").anyMatch(probe -> probe.status() != 200);
        System.out.printf("SIGTERM of the gateway with a %d ms device command in flight: readiness DOWN after %d ms, the command"
                + " answered %d, exit after %d ms (delay %d s + timeout %d s), new requests while stopping %s%n", DEVICE_LATENCY_MS,
                readinessDownMs, answer.statusCode(), exitMs, DELAY.toSeconds(), TIMEOUT.toSeconds(),
                probes.stream().map(Probe::status).distinct().toList());
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }
}
