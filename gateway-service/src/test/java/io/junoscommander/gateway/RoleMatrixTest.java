package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.testing.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every public route × every role: below the route's role the gateway answers 401 (anonymous) or 403, at or above it the
 * request passes the gateway's authorization (whatever the resource or the downstream then answers, never 401/403; a 401
 * from a downstream would mean it refused the internal token). No answer is ever a 5xx: a 500 or 502 is a defect, not
 * "allowed".
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class RoleMatrixTest {

    private static final List<String> ROLES = List.of("viewer", "operator", "admin");
    private static final String NO_SESSION = "0".repeat(64);
    private static final String NO_TOKEN = "00000000-0000-0000-0000-000000000000";

    /** One route: method, path, the least role that may call it, an optional JSON body, and whether it needs its own session. */
    record Row(String method, String path, String role, String body, boolean ownSession) {
        Row(String method, String path, String role) {
            this(method, path, role, null, false);
        }

        Row(String method, String path, String role, String body) {
            this(method, path, role, body, false);
        }
    }

    static final List<Row> ROUTES = List.of(
            // the gateway's own API
            new Row("GET", "/api/v1/auth/me", "viewer"),
            new Row("POST", "/api/v1/auth/logout", "viewer", null, true),
            new Row("GET", "/api/v1/auth/sessions", "viewer"),
            new Row("DELETE", "/api/v1/auth/sessions/" + NO_SESSION, "viewer"),
            new Row("DELETE", "/api/v1/auth/sessions", "viewer", null, true),
            new Row("POST", "/api/v1/auth/password", "viewer", "{\"currentPassword\":\"wrong one\",\"newPassword\":\"long enough pass\"}"),
            new Row("GET", "/api/v1/users", "admin"),
            new Row("POST", "/api/v1/users", "admin", "{}"),
            new Row("GET", "/api/v1/users/nobody-matrix", "admin"),
            new Row("PATCH", "/api/v1/users/nobody-matrix", "admin", "{}"),
            new Row("DELETE", "/api/v1/users/nobody-matrix", "admin"),
            new Row("GET", "/api/v1/tokens", "viewer"),
            new Row("POST", "/api/v1/tokens", "viewer", "{}"),
            new Row("DELETE", "/api/v1/tokens/" + NO_TOKEN, "viewer"),
            new Row("GET", "/api/v1/audit", "admin"),
            new Row("GET", "/api/v1/instances", "viewer"),
            // routed to device-service
            new Row("GET", "/api/v1/devices", "viewer"),
            new Row("GET", "/api/v1/devices/r1", "viewer"),
            new Row("POST", "/api/v1/devices", "admin", "{}"),
            new Row("PUT", "/api/v1/devices/r1", "admin", "{}"),
            new Row("PATCH", "/api/v1/devices/r1", "admin", "{}"),
            new Row("DELETE", "/api/v1/devices/r1", "admin"),
            new Row("POST", "/api/v1/devices/r1/commands", "operator", "{}"),
            new Row("POST", "/api/v1/devices/commands", "operator", "{}"),
            new Row("POST", "/api/v1/devices/r1/config", "admin", "{}"),
            new Row("PUT", "/api/v1/devices/r1/config", "admin", "{}"),
            new Row("GET", "/api/v1/credentials", "operator"),
            new Row("POST", "/api/v1/credentials", "admin", "{}"),
            new Row("DELETE", "/api/v1/credentials/c1", "admin"),
            // routed to task-service
            new Row("GET", "/api/v1/tasks", "viewer"),
            new Row("GET", "/api/v1/tasks/t1/events", "viewer"),
            new Row("POST", "/api/v1/tasks", "operator", "{}"),
            new Row("DELETE", "/api/v1/tasks/t1", "operator"),
            new Row("GET", "/api/v1/schedules", "viewer"),
            new Row("POST", "/api/v1/schedules", "operator", "{}"),
            new Row("PUT", "/api/v1/schedules/s1", "operator", "{}"),
            new Row("DELETE", "/api/v1/schedules/s1", "operator"),
            // routed to backup-service
            new Row("GET", "/api/v1/backups", "viewer"),
            new Row("POST", "/api/v1/backups", "operator", "{}"),
            new Row("POST", "/api/v1/backups/b1/restore", "admin", "{}"),
            new Row("POST", "/api/v1/backups/restores", "admin", "{}"));

    @Test
    void everyRouteTimesEveryRole() {
        List<String> wrong = new ArrayList<>();
        for (Row row : ROUTES) {
            int anonymous = send(given(), row);
            if (anonymous != 401) {
                wrong.add(row + " anonymous -> " + anonymous + " (want 401)");
            }
            for (String role : ROLES) {
                String user = "matrix-" + role;
                String token = row.ownSession() ? freshSession(user, role) : Api.userToken(user, role);
                int status = send(Api.as(token), row);
                boolean allowed = ROLES.indexOf(role) >= ROLES.indexOf(row.role());
                if (status >= 500) {
                    wrong.add(row + " " + role + " -> " + status + " (a server error)");
                } else if (allowed && (status == 401 || status == 403)) {
                    wrong.add(row + " " + role + " -> " + status + " (want allowed)");
                } else if (!allowed && status != 403) {
                    wrong.add(row + " " + role + " -> " + status + " (want 403)");
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** A separate user, so ending "all other sessions" or logging out leaves the matrix users' sessions alone. */
    private static String freshSession(String user, String role) {
        Api.userToken(user + "-own", role);
        return Api.login(user + "-own", Api.PASSWORD);
    }

    private static int send(RequestSpecification request, Row row) {
        if (row.body() != null) {
            request = request.contentType("application/json").body(row.body());
        }
        return request.header("X-Forwarded-For", "198.51.100.9").when().request(row.method(), row.path()).then().extract().statusCode();
    }
}
