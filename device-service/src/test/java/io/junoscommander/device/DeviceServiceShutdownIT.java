package io.junoscommander.device;

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
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown of the packaged device service ({@code target/quarkus-app}, its own process, as Kubernetes runs it): SIGTERM
 * while a command runs on a slow lab device and a streamed fan-out is half-way. Readiness turns DOWN at once, both finish with
 * every result, a new request once the shutdown delay is over is refused cleanly (503 problem+json or connection refused), and
 * the process exits within {@code SHUTDOWN_DELAY + SHUTDOWN_TIMEOUT}. Runs in {@code verify} after the jar is built (failsafe).
 */
class DeviceServiceShutdownIT {

    private static final Duration DELAY = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private DeviceLab lab;
    private PackagedService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.kill();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void sigtermFinishesTheCommandAndTheStreamInFlightRefusesNewWorkAndExitsInTime() throws Exception {
        lab = DeviceLab.start(LabConfig.builder().devices(5).build());
        LabDevice slow = lab.devices().get(0);
        slow.setFault(Fault.latency(8000));
        List<LabDevice> streamed = lab.devices().subList(1, 5);
        streamed.forEach(device -> device.setFault(Fault.latency(2000)));
        service = PackagedService.of("device-service").name("device-service-shutdown").environment(PackagedService.testEnvironment())
                .environment(Map.of("SHUTDOWN_DELAY", DELAY.toSeconds() + "s", "SHUTDOWN_TIMEOUT", TIMEOUT.toSeconds() + "s",
                        "CREDENTIAL_KEYS", "k1:" + Base64.getEncoder().encodeToString(new byte[32]))).start();
        Map<String, String> ids = register();

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CompletableFuture<HttpResponse<String>> command = client.sendAsync(post("/api/v1/devices/" + ids.get(slow.name())
                + "/commands", "application/json", "{\"commands\":[\"show version\"]}"), HttpResponse.BodyHandlers.ofString());
        String streamBody = "{\"deviceIds\":[" + String.join(",", streamed.stream().map(d -> "\"" + ids.get(d.name()) + "\"").toList())
                + "],\"commands\":[\"show version\"],\"concurrency\":1}";
        HttpResponse<Stream<String>> stream = client.send(post("/api/v1/devices/commands", "application/x-ndjson", streamBody),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> streamDone = CompletableFuture.runAsync(() -> stream.body().filter(l -> !l.isBlank()).forEach(lines::add));
        awaitTrue(() -> lines.size() >= 1, Duration.ofSeconds(30), "the first streamed result");
        assertThat(command).isNotDone();
        assertThat(lines).hasSizeLessThan(streamed.size());

        GracefulShutdown shutdown = GracefulShutdown.sigterm(service);
        long readinessDownMs = shutdown.awaitReadinessDown(Duration.ofSeconds(1));
        assertThat(readinessDownMs).as("readiness DOWN within a second of SIGTERM").isNotNegative();

        // once the delay is over, no new work starts here: 503 problem+json (or the port is closed already)
        shutdown.sleepUntil(DELAY.plusMillis(500));
        assertThat(command).as("the slow command is still in flight").isNotDone();
        Probe refused = shutdown.probe(HttpRequest.newBuilder(URI.create(service.url() + "/api/v1/devices"))
                .header("Authorization", admin()).timeout(Duration.ofSeconds(5)).GET().build());
        assertThat(refused.status()).as("a new request after the shutdown delay: %s", refused).isIn(503, -1);
        if (refused.status() == 503) {
            assertThat(refused.contentType()).isEqualTo("application/problem+json");
            assertThat(refused.body()).contains("\"status\":503");
        }

        HttpResponse<String> commandResult = command.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long commandDoneMs = shutdown.elapsedMs();
        assertThat(commandResult.statusCode()).isEqualTo(200);
        JsonPath result = JsonPath.from(commandResult.body());
        assertThat(result.getBoolean("ok")).as(commandResult.body()).isTrue();
        assertThat(result.getString("results[0].output")).contains("Hostname: " + slow.hostname());

        streamDone.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(lines).hasSize(streamed.size());
        assertThat(lines).allSatisfy(line -> assertThat(JsonPath.from(line).getBoolean("ok")).as(line).isTrue());

        long exitMs = shutdown.awaitExit(DELAY.plus(TIMEOUT));
        System.out.printf("device-service shutdown: readiness DOWN after %d ms, new request refused with %d, slow command done after"
                + " %d ms, stream of %d results complete, exit after %d ms (delay %d s + timeout %d s)%n", readinessDownMs,
                refused.status(), commandDoneMs, lines.size(), exitMs, DELAY.toSeconds(), TIMEOUT.toSeconds());
        assertThat(exitMs).as("exit within delay + timeout").isBetween(0L, DELAY.plus(TIMEOUT).toMillis());
        assertThat(PackagedService.status(service.url() + "/api/v1/devices")).isEqualTo(-1);
        assertThat(Files.readString(service.log())).doesNotContain("Timed out waiting for graceful shutdown");
    }

    private HttpRequest post(String path, String accept, String json) {
        return HttpRequest.newBuilder(URI.create(service.url() + path)).header("Authorization", admin()).header("Accept", accept)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    /** Registers the lab's devices with the service; their ids by name. */
    private Map<String, String> register() {
        String credential = given().baseUri(service.url()).header("Authorization", admin()).contentType("application/json")
                .body(Map.of("name", "shutdown-lab", "username", "lab", "password", "lab")).when().post("/api/v1/credentials").then()
                .statusCode(201).extract().path("id");
        List<Map<String, Object>> devices = new ArrayList<>();
        for (LabDevice device : lab.devices()) {
            devices.add(Map.of("name", device.name(), "host", device.host(), "port", device.port(), "platform", "junos", "site",
                    "shutdown", "tags", List.of("shutdown"), "credentialId", credential));
        }
        given().baseUri(service.url()).header("Authorization", admin()).contentType("application/json").body(devices).when()
                .post("/api/v1/devices/import").then().statusCode(200);
        List<Map<String, Object>> items = given().baseUri(service.url()).header("Authorization", admin()).when()
                .get("/api/v1/devices?site=shutdown&size=1000").then().statusCode(200).extract().path("items");
        Map<String, String> ids = new java.util.HashMap<>();
        items.forEach(item -> ids.put((String) item.get("name"), (String) item.get("id")));
        return ids;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration within, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Minted per request: the services refuse internal tokens older than 90 s, and a start on a loaded machine can take longer. */
    private static String admin() {
        return InternalTokens.bearer("shutdown-admin", "admin");
    }
}
