package io.junoscommander.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Users CRUD for admins: Argon2id hashes in PostgreSQL, role changes and disabling take effect at once. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class UserAdminTest {

    private final InfraHarness infra = SharedInfra.harness();

    @Test
    void firstAdminExistsAndPasswordsAreStoredAsArgon2id() {
        Api.asAdmin().when().get("/api/v1/users/admin").then().statusCode(200).body("role", equalTo("admin"))
                .body("enabled", equalTo(true)).body("passwordHash", org.hamcrest.Matchers.nullValue());
        Api.createUser("frank", "operator", Api.PASSWORD);
        var rows = infra.queryAsSuperuser("SELECT password_hash FROM gateway.app_user WHERE username = 'frank'");
        assertThat(rows.get(0).get("password_hash")).startsWith("$argon2id$v=19$m=").doesNotContain(Api.PASSWORD);
        String body = Api.asAdmin().when().get("/api/v1/users").then().statusCode(200).body("username", hasItem("frank")).extract()
                .asString();
        assertThat(body).doesNotContain("argon2");
    }

    @Test
    void createValidatesAndRefusesDuplicates() {
        Api.asAdmin().contentType("application/json").body(Map.of("username", "gina", "password", "short", "role", "viewer")).when()
                .post("/api/v1/users").then().statusCode(400).body("errors[0].field", equalTo("password"));
        Api.asAdmin().contentType("application/json").body(Map.of("username", "gina", "password", Api.PASSWORD, "role", "root")).when()
                .post("/api/v1/users").then().statusCode(400).body("errors[0].field", equalTo("role"));
        Api.createUser("gina", "viewer", Api.PASSWORD);
        Api.asAdmin().contentType("application/json").body(Map.of("username", "gina", "password", Api.PASSWORD, "role", "viewer")).when()
                .post("/api/v1/users").then().statusCode(409).contentType("application/problem+json");
        Api.asAdmin().when().get("/api/v1/users/nobody-at-all").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void roleChangeDisableResetAndDeleteTakeEffectAtOnce() {
        Api.createUser("hank", "viewer", Api.PASSWORD);
        String session = Api.login("hank", Api.PASSWORD);
        Api.as(session).when().get("/api/v1/auth/me").then().statusCode(200).body("role", equalTo("viewer"));

        Api.asAdmin().contentType("application/json").body(Map.of("role", "operator")).when().patch("/api/v1/users/hank").then()
                .statusCode(200).body("role", equalTo("operator"));
        // sessions carrying the old role end
        Api.as(session).when().get("/api/v1/auth/me").then().statusCode(401);
        String promoted = Api.login("hank", Api.PASSWORD);
        Api.as(promoted).when().get("/api/v1/auth/me").then().statusCode(200).body("role", equalTo("operator"));

        Api.asAdmin().contentType("application/json").body(Map.of("enabled", false)).when().patch("/api/v1/users/hank").then()
                .statusCode(200).body("enabled", equalTo(false));
        Api.as(promoted).when().get("/api/v1/auth/me").then().statusCode(401);
        io.restassured.RestAssured.given().header("X-Forwarded-For", "198.51.100.77").contentType("application/json")
                .body(Map.of("username", "hank", "password", Api.PASSWORD)).when().post("/api/v1/auth/login").then().statusCode(401);

        Api.asAdmin().contentType("application/json").body(Map.of("enabled", true, "password", "reset by the admin 1")).when()
                .patch("/api/v1/users/hank").then().statusCode(200);
        Api.login("hank", "reset by the admin 1");

        Api.asAdmin().when().delete("/api/v1/users/hank").then().statusCode(204);
        Api.asAdmin().when().get("/api/v1/users/hank").then().statusCode(404);
        Api.asAdmin().when().delete("/api/v1/users/hank").then().statusCode(404);
    }

    @Test
    void theLastAdminCannotBeDemotedDisabledOrDeleted() {
        // other tests create admins; set them aside in the database (their sessions stay) so "admin" is the last one
        var others = infra.queryAsSuperuser("UPDATE gateway.app_user SET enabled = false WHERE role = 'admin' AND enabled "
                + "AND username <> 'admin' RETURNING username");
        try {
            Api.asAdmin().contentType("application/json").body(Map.of("role", "viewer")).when().patch("/api/v1/users/admin").then()
                    .statusCode(409).contentType("application/problem+json");
            Api.asAdmin().contentType("application/json").body(Map.of("enabled", false)).when().patch("/api/v1/users/admin").then()
                    .statusCode(409);
            Api.asAdmin().when().delete("/api/v1/users/admin").then().statusCode(409);
            Api.asAdmin().when().get("/api/v1/auth/me").then().statusCode(200).body("role", equalTo("admin"));
        } finally {
            for (var row : others) {
                infra.queryAsSuperuser("UPDATE gateway.app_user SET enabled = true WHERE username = '" + row.get("username") + "'");
            }
        }
    }
}
