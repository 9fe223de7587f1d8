package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.junoscommander.infra.testing.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The shared mappers answer every kind of bad request with problem+json and never leak internals. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class ProblemResponsesTest {

    @Test
    void malformedJsonIsBadRequestWithPosition() {
        given().contentType("application/json").body("{\"name\": \"r1\", ").when().post("/test/problems").then().statusCode(400)
                .contentType("application/problem+json").body("type", equalTo("urn:junoscommander:problem:malformed-request"))
                .body("detail", containsString("not valid JSON"));
    }

    @Test
    void wrongTypeNamesTheField() {
        given().contentType("application/json").body("{\"name\": \"r1\", \"port\": \"twenty-two\"}").when().post("/test/problems")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("port"));
    }

    @Test
    void constraintViolationsNameEveryField() {
        given().contentType("application/json").body("{\"name\": \"\", \"port\": 70000}").when().post("/test/problems").then()
                .statusCode(400).contentType("application/problem+json").body("type", equalTo("urn:junoscommander:problem:validation"))
                .body("errors.field", containsInAnyOrder("name", "port"));
    }

    @Test
    void validBodyPassesThrough() {
        given().contentType("application/json").body("{\"name\": \"r1\", \"port\": 22}").when().post("/test/problems").then()
                .statusCode(200).body("name", equalTo("r1")).body("port", equalTo(22));
    }

    @Test
    void nulCharacterInTheUnauthenticatedLoginIsABadRequestNamingTheField() {
        given().contentType("application/json").body("{\"username\":\"a\\u0000b\",\"password\":\"x\"}").when()
                .post("/api/v1/auth/login").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("username"));
        given().contentType("application/json").body("{\"username\":-9223372036854775809,\"password\":\"x\"}").when()
                .post("/api/v1/auth/login").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("username"));
        given().urlEncodingEnabled(false).header("Authorization", "Bearer " + Api.userToken("nul-viewer", "viewer")).when()
                .get("/api/v1/users/a%00b").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("path"));
    }

    @Test
    void unsupportedMediaTypeIsProblemJson() {
        given().contentType("text/plain").body("hello").when().post("/test/problems").then().statusCode(415)
                .contentType("application/problem+json").body("status", equalTo(415));
    }

    @Test
    void unexpectedFailureIsInternalErrorWithoutInternals() {
        String body = given().header("X-Request-Id", "req-500").when().get("/test/problems/failure").then().statusCode(500)
                .contentType("application/problem+json").body("requestId", equalTo("req-500")).extract().asString();
        assertThat(body).contains("req-500").doesNotContain("hunter2").doesNotContain("IllegalStateException")
                .doesNotContain("at io.junoscommander");
    }
}
