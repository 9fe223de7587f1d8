package io.junoscommander.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junoscommander.infra.testing.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Requests Vert.x refuses below the REST layer get the same problem+json as every other error, from the gateway and from a
 * routed service (the real, packaged device-service): sent over raw sockets, since no HTTP client sends them.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class EdgeProblemsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<Integer> ports() {
        return List.of(RestAssured.port, DownstreamTestResource.devicePort());
    }

    @Test
    void malformedPercentEscapeIsBadRequest() throws IOException {
        for (int port : ports()) {
            RawHttp.Answer answer = RawHttp.exchange(port, "GET /api/v1/devices/r%zz1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertProblem(answer, 400, "bad-request");
            assertThat(answer.body()).contains("percent-escape");
        }
    }

    @Test
    void managementInterfaceChecksTheTargetToo() throws IOException {
        int management = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        assertProblem(RawHttp.exchange(management, "GET /health/r%zz HTTP/1.1\r\nHost: localhost\r\n\r\n"), 400, "bad-request");
    }

    @Test
    void http11WithoutHostIsBadRequest() throws IOException {
        for (int port : ports()) {
            RawHttp.Answer answer = RawHttp.exchange(port, "GET /api/v1/devices HTTP/1.1\r\nAccept: */*\r\n\r\n");
            assertProblem(answer, 400, "bad-request");
            assertThat(answer.body()).contains("Host");
        }
    }

    @Test
    void tooLongUrlIsUriTooLong() throws IOException {
        for (int port : ports()) {
            RawHttp.Answer answer = RawHttp.exchange(port, "GET /api/v1/devices?name=" + "a".repeat(5_000)
                    + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertProblem(answer, 414, "uri-too-long");
        }
    }

    @Test
    void tooLargeHeadersAreHeaderFieldsTooLarge() throws IOException {
        for (int port : ports()) {
            RawHttp.Answer answer = RawHttp.exchange(port, "GET /api/v1/devices HTTP/1.1\r\nHost: localhost\r\nX-Padding: "
                    + "b".repeat(25_000) + "\r\n\r\n");
            assertProblem(answer, 431, "headers-too-large");
        }
    }

    @Test
    void tooLargeBodyIsPayloadTooLargeBeforeItIsSent() throws IOException {
        for (int port : ports()) {
            // only the head: the server answers from Content-Length, without waiting for (or reading) the 50 MB
            RawHttp.Answer answer = RawHttp.exchange(port, "POST /api/v1/devices HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n");
            assertProblem(answer, 413, "payload-too-large");
        }
    }

    @Test
    void gatewayRefusesABodyOverItsRoutesLimitBeforeProxying() throws IOException {
        // 2 MB: under the services' 10 MiB, over the 1 MiB of the devices route; refused before authentication
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, "POST /api/v1/devices HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n");
        assertProblem(answer, 413, "payload-too-large");
        assertThat(answer.body()).contains("1048576 bytes");
        assertThat(answer.header("Connection")).isEqualTo("close");
    }

    @Test
    void gatewayCutsOffAChunkedBodyAtItsRoutesLimit() throws IOException {
        String chunk = Integer.toHexString(256 * 1024) + "\r\n" + "a".repeat(256 * 1024) + "\r\n";
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, "POST /api/v1/devices HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + Api.adminToken() + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk.repeat(6) + "0\r\n\r\n");
        assertProblem(answer, 413, "payload-too-large");
    }

    @Test
    void jsonNestedDeeperThanTheLimitIsABadRequest() {
        String nested = "[".repeat(100) + "]".repeat(100);
        Api.asAdmin().contentType("application/json").body("{\"name\":" + nested + "}").when().post("/api/v1/devices").then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.equalTo("urn:junoscommander:problem:malformed-request"));
        // an ignored member 100 deep: Jackson's own limit (1000) would skip it and validation would answer; ours (64) refuses
        Api.asAdmin().contentType("application/json").body("{\"ignored\":" + nested + "}").when().post("/api/v1/users").then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.equalTo("urn:junoscommander:problem:malformed-request"));
    }

    private static void assertProblem(RawHttp.Answer answer, int status, String slug) throws IOException {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).as(answer.toString()).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(answer.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("type").asText()).isEqualTo("urn:junoscommander:problem:" + slug);
        assertThat(problem.path("requestId").asText()).isNotBlank();
        assertThat(answer.header("X-Request-Id")).isEqualTo(problem.path("requestId").asText());
    }
}
