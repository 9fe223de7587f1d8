package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Logins and users for the HTTP tests: the first admin comes from the test profile's ADMIN_USERNAME/ADMIN_PASSWORD. */
final class Api {

    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "admin-password-for-tests";
    static final String PASSWORD = "correct horse battery staple";

    private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

    private Api() {
    }

    static String login(String username, String password) {
        return given().contentType("application/json").body(Map.of("username", username, "password", password))
                .header("X-Forwarded-For", "198.51.100.1").when().post("/api/v1/auth/login").then().statusCode(200).extract()
                .path("token");
    }

    static String adminToken() {
        return TOKENS.computeIfAbsent(ADMIN, u -> login(ADMIN, ADMIN_PASSWORD));
    }

    static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    static RequestSpecification asAdmin() {
        return as(adminToken());
    }

    /** Creates {@code username} with {@code role} (once per JVM) and returns a session token for it. */
    static String userToken(String username, String role) {
        return TOKENS.computeIfAbsent(username, u -> {
            int status = asAdmin().contentType("application/json").body(Map.of("username", u, "password", PASSWORD, "role", role))
                    .when().post("/api/v1/users").then().extract().statusCode();
            if (status != 201 && status != 409) {
                throw new AssertionError("cannot create user " + u + ": " + status);
            }
            return login(u, PASSWORD);
        });
    }

    /** A user of its own for a test that changes or locks it. */
    static void createUser(String username, String role, String password) {
        asAdmin().contentType("application/json").body(Map.of("username", username, "password", password, "role", role)).when()
                .post("/api/v1/users").then().statusCode(201);
    }
}
