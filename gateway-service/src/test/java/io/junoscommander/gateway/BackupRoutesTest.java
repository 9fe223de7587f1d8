package io.junoscommander.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.testing.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The backup API through the gateway, answered by the real packaged backup-service: a viewer lists backups, an operator
 * takes one, and only an admin restores (the gateway refuses the others before the service sees the call).
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class BackupRoutesTest {

    @Test
    void aViewerListsBackupsAnOperatorTakesOneAndOnlyAnAdminRestoresIt() throws InterruptedException {
        String viewer = Api.userToken("backup-viewer", "viewer");
        String operator = Api.userToken("backup-operator", "operator");

        Response taken = Api.as(operator).contentType("application/json").body("{\"kind\":\"postgres-logical\"}")
                .post("/api/v1/backups");
        assertThat(taken.statusCode()).as(taken.asString()).isEqualTo(202);
        String id = taken.jsonPath().getString("id");
        assertThat(taken.jsonPath().getString("status")).isEqualTo("running");
        assertThat(taken.getHeader("Location")).isEqualTo("/api/v1/backups/" + id);

        Response finished = awaitFinished(viewer, id);
        assertThat(finished.jsonPath().getString("status")).as(finished.asString()).isEqualTo("succeeded");
        assertThat(finished.jsonPath().getBoolean("verified")).isTrue();
        assertThat(finished.jsonPath().getList("files.name", String.class)).contains("gateway.dump");

        Response listed = Api.as(viewer).get("/api/v1/backups?kind=postgres-logical");
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.jsonPath().getList("id", String.class)).contains(id);

        String restore = "{\"schema\":\"gateway\"}";
        for (String refused : new String[] {viewer, operator}) {
            Response answer = Api.as(refused).contentType("application/json").body(restore).post("/api/v1/backups/" + id + "/restore");
            assertThat(answer.statusCode()).isEqualTo(403);
            assertThat(answer.contentType()).startsWith("application/problem+json");
        }
        Response accepted = Api.asAdmin().contentType("application/json").body(restore).post("/api/v1/backups/" + id + "/restore");
        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
        // the service's own address never shows: the caller follows the path through the gateway
        assertThat(accepted.getHeader("Location")).startsWith("/api/v1/backups/restores/");
        Response restoring = Api.asAdmin().get(accepted.getHeader("Location"));
        assertThat(restoring.statusCode()).isEqualTo(200);
        assertThat(restoring.jsonPath().getString("backupId")).isEqualTo(id);
    }

    @Test
    void aBadBackupRequestIsTheServicesOwnProblemNotAGatewayError() {
        Response answer = Api.as(Api.userToken("backup-operator", "operator")).contentType("application/json")
                .body("{\"kind\":\"tape\"}").post("/api/v1/backups");
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.jsonPath().getString("detail")).contains("postgres-full");
    }

    private static Response awaitFinished(String token, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            Response run = Api.as(token).get("/api/v1/backups/" + id);
            assertThat(run.statusCode()).isEqualTo(200);
            if (!"running".equals(run.jsonPath().getString("status")) || System.nanoTime() > deadline) {
                return run;
            }
            Thread.sleep(250);
        }
    }
}
