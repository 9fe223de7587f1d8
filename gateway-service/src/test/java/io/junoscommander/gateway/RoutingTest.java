package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.ServiceFoundationContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Routing through the real proxy: to the packaged device-service (which verifies the internal token), and through the
 * test route to probe endpoints for streaming both ways, SSE, timeouts, retries and the circuit breaker.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class RoutingTest {

    /** Health and metrics answer only on the management interface. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    /** The upstreams' breakers, by name ({@code upstream-<name>}). */
    @Inject
    CircuitBreakerMaintenance breakers;

    private io.restassured.specification.RequestSpecification onManagement() {
        return given().port(ServiceFoundationContract.managementPort(management));
    }

    @Test
    void routedCallReachesDeviceServiceWhichAcceptsTheInternalToken() {
        String token = Api.userToken("rita-viewer", "viewer");
        List<Map<String, Object>> instances = Api.as(token).header("X-Request-Id", "route-req-1").when().get("/api/v1/device-instances")
                .then().statusCode(200).header("X-Request-Id", "route-req-1").extract().jsonPath().getList("$");
        assertThat(instances).anySatisfy(instance -> assertThat(instance.get("service")).isEqualTo("device-service"));
        // the downstream itself refuses the same call without the gateway's token
        given().when().get("http://127.0.0.1:" + DownstreamTestResource.devicePort() + "/api/v1/instances").then().statusCode(401);
        // a downstream error passes through as the downstream's own problem+json
        Api.as(token).when().get("/api/v1/devices/no-such-device-path").then().statusCode(404).contentType("application/problem+json")
                .body("instance", equalTo("/api/v1/devices/no-such-device-path"));
    }

    @Test
    void upstreamGetsAFreshInternalTokenAndTheRequestIdButNeverTheCallersCredential() throws Exception {
        String token = Api.userToken("otto-operator", "operator");
        JsonPath headers = Api.as(token).cookie("JC_SESSION", token).header("X-Request-Id", "hop-42").when()
                .get("/api/v1/test-stream/headers").then().statusCode(200).header("X-Request-Id", "hop-42").extract().jsonPath();
        assertThat(headers.getString("x-request-id")).isEqualTo("hop-42");
        assertThat(headers.getString("cookie")).isNull();
        String authorization = headers.getString("authorization");
        assertThat(authorization).startsWith("Bearer ey").doesNotContain(token);
        String[] jwt = authorization.substring(7).split("\\.");
        JsonPath header = JsonPath.from(new String(Base64.getUrlDecoder().decode(jwt[0]), StandardCharsets.UTF_8));
        JsonPath claims = JsonPath.from(new String(Base64.getUrlDecoder().decode(jwt[1]), StandardCharsets.UTF_8));
        assertThat(header.getString("alg")).isEqualTo("ES256");
        assertThat(claims.getString("iss")).isEqualTo("junoscommander-gateway");
        assertThat(claims.getString("aud")).contains("junoscommander-services");
        assertThat(claims.getString("upn")).isEqualTo("otto-operator");
        assertThat(claims.getString("sub")).isEqualTo("otto-operator");
        assertThat(claims.getList("groups")).containsExactlyInAnyOrder("viewer", "operator");
        assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(60);
        // without a request id the gateway makes one, sends it upstream and echoes it
        var generated = Api.as(token).when().get("/api/v1/test-stream/headers").then().statusCode(200).extract();
        assertThat(generated.jsonPath().getString("x-request-id")).isEqualTo(generated.header("X-Request-Id")).matches("[0-9a-f-]{36}");
    }

    @Test
    void serverSentEventsPassThroughLive() throws Exception {
        String token = Api.userToken("rita-viewer", "viewer");
        String key = UUID.randomUUID().toString();
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/v1/test-stream/sse/"
                + key)).header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("text/event-stream"));
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            // the first event arrives while the upstream still holds the stream open: nothing is buffered
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> readLine(lines));
            assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo("data: first");
            Api.as(token).when().post("/api/v1/test-stream/release/" + key).then().statusCode(403);
            Api.as(Api.userToken("otto-operator", "operator")).when().post("/api/v1/test-stream/release/" + key).then().statusCode(204);
            assertThat(readLine(lines)).isEmpty();
            assertThat(readLine(lines)).isEqualTo("data: second");
        }
    }

    @Test
    void requestBodyStreamsToTheUpstreamBeforeItIsComplete() throws Exception {
        String token = Api.userToken("otto-operator", "operator");
        String key = UUID.randomUUID().toString();
        byte[] part = new byte[256 * 1024];
        for (int i = 0; i < part.length; i++) {
            part[i] = (byte) (i * 31);
        }
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/test-stream/upload/" + key + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            writeChunk(out, part);
            digest.update(part);
            // the upstream has the first part while the client has not finished: the gateway did not wait for the whole body
            Awaiting.until(Duration.ofSeconds(20), () -> Long.parseLong(Api.as(token).when().get("/api/v1/test-stream/received/" + key)
                    .then().statusCode(200).extract().asString()) >= part.length);
            for (int i = 0; i < 31; i++) {
                writeChunk(out, part);
                digest.update(part);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 200");
            assertThat(answer).contains("\"bytes\":" + 32L * part.length).contains(HexFormat.of().formatHex(digest.digest()));
        }
    }

    @Test
    void largeResponseStreamsThrough() throws Exception {
        String token = Api.userToken("rita-viewer", "viewer");
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":"
                + RestAssured.port + "/api/v1/test-stream/big?mb=64")).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream body = response.body()) {
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                total += n;
            }
        }
        assertThat(total).isEqualTo(64L * 1024 * 1024);
    }

    @Test
    void clientLeavingMidDownloadStopsTheUpstreamCallCleanly() throws Exception {
        String token = Api.userToken("rita-viewer", "viewer");
        int before = StreamProbeRoutes.ABANDONED.get();
        try (LogCapture vertx = LogCapture.of("io.quarkus.vertx.core.runtime.VertxCoreRecorder")) {
            for (int i = 0; i < 5; i++) {
                try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
                    socket.getOutputStream().write(("GET /api/v1/test-stream/big?mb=512 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    InputStream in = socket.getInputStream();
                    byte[] buffer = new byte[1 << 16];
                    long read = 0;
                    for (int n = in.read(buffer); n >= 0 && read < 4L * 1024 * 1024; n = in.read(buffer)) {
                        read += n;
                    }
                    assertThat(read).isGreaterThanOrEqualTo(4L * 1024 * 1024);
                }
            }
            int leaves = 5;
            Awaiting.until(Duration.ofSeconds(20), () -> StreamProbeRoutes.ABANDONED.get() - before >= leaves);
            Thread.sleep(500);
            // the gateway's own PostgreSQL pool (sessions, audit) now and then reports a Vert.x SQL client race
            // ("Result is already complete") as uncaught; it has nothing to do with streaming, so only the rest counts
            assertThat(vertx.messages()).noneMatch(message -> message.contains("Uncaught exception")
                    && !message.contains("io.vertx.sqlclient"));
        }
    }

    @Test
    void slowUpstreamTimesOutAsProblemJson() {
        Api.as(Api.userToken("rita-viewer", "viewer")).when().get("/api/v1/test-stream/slow").then().statusCode(504)
                .contentType("application/problem+json").body("type", equalTo("urn:junoscommander:problem:upstream-timeout"));
    }

    @Test
    void idempotentRequestsAreRetriedOthersAreNot() {
        String operator = Api.userToken("otto-operator", "operator");
        String getKey = UUID.randomUUID().toString();
        Api.as(operator).when().get("/api/v1/test-stream/flaky/" + getKey).then().statusCode(200).body(equalTo("call 2"));
        String postKey = UUID.randomUUID().toString();
        Api.as(operator).contentType("application/json").body("{}").when().post("/api/v1/test-stream/flaky/" + postKey).then()
                .statusCode(503);
        assertThat(StreamProbeRoutes.CALLS.get(postKey).get()).isEqualTo(1);
        assertThat(StreamProbeRoutes.CALLS.get(getKey).get()).isEqualTo(2);
    }

    @Test
    void breakerOpensAfterFailuresAnswers503WithRetryAfterAndIsAMetric() {
        String token = Api.userToken("rita-viewer", "viewer");
        for (int i = 0; i < 3; i++) {
            Api.as(token).when().get("/api/v1/test-dead/anything").then().statusCode(502).contentType("application/problem+json")
                    .body("type", equalTo("urn:junoscommander:problem:upstream-unreachable"));
        }
        var open = Api.as(token).when().get("/api/v1/test-dead/anything").then().statusCode(503).contentType("application/problem+json")
                .body("type", equalTo("urn:junoscommander:problem:upstream-unavailable")).extract();
        assertThat(Integer.parseInt(open.header("Retry-After"))).isBetween(1, 60);
        String metrics = onManagement().when().get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("(?m)^gateway_upstream_circuit_state\\{[^}]*upstream=\"dead\"[^}]*\\} 1\\.0$")
                .containsPattern("(?m)^gateway_upstream_circuit_state\\{[^}]*upstream=\"device-service\"[^}]*\\} 0\\.0$");
    }

    @Test
    void openBreakerLetsOneTrialThroughAfterItsOpenTimeAndClosesWhenTheTrialSucceeds() {
        String token = Api.userToken("rita-viewer", "viewer");
        String key = UUID.randomUUID().toString();
        // the upstream's own 503 passes through and, at a threshold of 1, opens the breaker
        Api.as(token).when().get("/api/v1/test-flapping/flaky/" + key).then().statusCode(503).body(equalTo("call 1"));
        Awaiting.until(Duration.ofSeconds(5), () -> breakers.currentState("upstream-flapping") == CircuitBreakerState.OPEN);
        var refused = Api.as(token).when().get("/api/v1/test-flapping/flaky/" + key).then().statusCode(503)
                .contentType("application/problem+json").body("type", equalTo("urn:junoscommander:problem:upstream-unavailable")).extract();
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 3);
        assertThat(StreamProbeRoutes.CALLS.get(key).get()).as("refused without calling the upstream").isEqualTo(1);
        // after the open time the breaker is half-open (also on the gauge) and lets one trial call through
        Pattern halfOpen = Pattern.compile("(?m)^gateway_upstream_circuit_state\\{[^}]*upstream=\"flapping\"[^}]*\\} 2\\.0$");
        Awaiting.until(Duration.ofSeconds(10),
                () -> halfOpen.matcher(onManagement().when().get("/metrics").then().extract().asString()).find());
        Api.as(token).when().get("/api/v1/test-flapping/flaky/" + key).then().statusCode(200).body(equalTo("call 2"));
        Awaiting.until(Duration.ofSeconds(5), () -> breakers.currentState("upstream-flapping") == CircuitBreakerState.CLOSED);
        Api.as(token).when().get("/api/v1/test-flapping/flaky/" + key).then().statusCode(200).body(equalTo("call 3"));
    }

    @Test
    void detailedHealthShowsEachDownstream() {
        JsonPath health = onManagement().when().get("/health/detailed").then().statusCode(200).extract().jsonPath();
        assertThat(health.getString("components.'downstream:device-service'.status")).isEqualTo("UP");
        assertThat(health.getString("components.'downstream:device-service'.address"))
                .isEqualTo("http://127.0.0.1:" + DownstreamTestResource.devicePort());
        assertThat(health.getString("components.'downstream:dead'.status")).isEqualTo("DOWN");
        // a downstream being down does not make the gateway itself unready
        assertThat(health.getString("status")).isEqualTo("UP");
    }

    private static void writeChunk(OutputStream out, byte[] data) throws java.io.IOException {
        out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(data);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
