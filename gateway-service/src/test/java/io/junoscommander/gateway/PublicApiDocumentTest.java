package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junoscommander.infra.testing.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The one public API document: the gateway's own operations plus the routed services' real operations, merged from the
 * description each service serves, at their public paths with the role the gateway demands and its error shapes. Here the
 * real device-service is the upstream of the device and credential routes (and, in tests, of the task and backup routes,
 * whose paths it does not describe: those keep their generic entries).
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class PublicApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode mergedDocument() {
        JsonNode[] document = new JsonNode[1];
        // the gateway fetches the services' descriptions right after it starts
        Awaiting.until(Duration.ofSeconds(30), () -> {
            document[0] = read(given().accept("application/json").when().get("/openapi").then().statusCode(200).extract().asString());
            return document[0].path("paths").has("/api/v1/devices/{id}/commands");
        });
        return document[0];
    }

    @Test
    void routedOperationsAreTheServicesOwnWithTheGatewaysRolesAndErrors() {
        JsonNode paths = mergedDocument().path("paths");

        assertThat(paths.path("/api/v1/devices").path("get").path("x-required-role").asText()).isEqualTo("viewer");
        assertThat(paths.path("/api/v1/devices").path("post").path("x-required-role").asText()).isEqualTo("admin");
        assertThat(paths.path("/api/v1/devices/{id}/commands").path("post").path("x-required-role").asText()).isEqualTo("operator");
        assertThat(paths.path("/api/v1/devices/{id}/commands").path("post").path("x-audit-action").asText()).isEqualTo("device.command");
        assertThat(paths.path("/api/v1/devices/{id}/config").path("post").path("x-required-role").asText()).isEqualTo("admin");
        assertThat(paths.path("/api/v1/devices/{id}/config").path("post").path("x-audit-action").asText())
                .isEqualTo("device.config-push");
        assertThat(paths.path("/api/v1/credentials").path("get").path("x-required-role").asText()).isEqualTo("operator");
        // the service's own description of the operation survives: its path parameter and its request body
        JsonNode run = paths.path("/api/v1/devices/{id}/commands").path("post");
        assertThat(run.path("parameters").toString()).contains("\"name\":\"id\"");
        assertThat(run.path("requestBody").path("content").has("application/json")).isTrue();
        assertThat(run.path("description").asText()).startsWith("Requires role operator");
        assertThat(run.path("security").toString()).isEqualTo("[{\"bearer\":[]}]");
        for (String code : List.of("401", "403", "429", "502", "503", "504")) {
            assertThat(run.path("responses").path(code).path("content").path("application/problem+json").path("schema").path("$ref")
                    .asText()).as(code).isEqualTo("#/components/schemas/Problem");
        }

        // generic entries go where the service described the route
        assertThat(paths.has("/api/v1/devices/{path}")).isFalse();
        assertThat(paths.has("/api/v1/credentials/{path}")).isFalse();
        assertThat(paths.has("/api/v1/tasks/{path}")).isFalse();
        assertThat(paths.has("/api/v1/tasks/{id}/events")).isTrue();
    }

    /** Each audited operation (method and path template) of the whole public document has an audit action no other one has. */
    @Test
    void everyAuditedOperationHasAnActionOfItsOwn() {
        JsonNode[] document = new JsonNode[1];
        // the task and backup services' descriptions too, not only the device-service's
        Awaiting.until(Duration.ofSeconds(30), () -> {
            document[0] = mergedDocument();
            JsonNode paths = document[0].path("paths");
            return paths.has("/api/v1/tasks/{id}/cancel") && paths.has("/api/v1/backups/{id}/restore");
        });
        JsonNode paths = document[0].path("paths");
        Map<String, String> owners = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        paths.fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation -> {
            String method = operation.getKey().toUpperCase(Locale.ROOT);
            if (!path.getKey().startsWith("/api/") || !Set.of("POST", "PUT", "PATCH", "DELETE").contains(method)) {
                return;
            }
            String action = operation.getValue().path("x-audit-action").asText();
            String route = method + " " + path.getKey();
            String owner = owners.put(action, route);
            if (action.isBlank()) {
                wrong.add(route + " has no audit action");
            } else if (owner != null) {
                wrong.add(route + " shares " + action + " with " + owner);
            }
        }));
        assertThat(wrong).isEmpty();
        assertThat(owners).containsEntry("devices.host-key.delete", "DELETE /api/v1/devices/{id}/host-key")
                .containsEntry("devices.delete", "DELETE /api/v1/devices/{id}")
                .containsEntry("device.command-bulk", "POST /api/v1/devices/commands")
                .containsEntry("auth.sessions.delete-others", "DELETE /api/v1/auth/sessions")
                .containsEntry("users.update", "PATCH /api/v1/users/{username}");
        assertThat(owners.size()).isGreaterThan(25);
    }

    @Test
    void everyReferenceInTheMergedDocumentResolves() {
        JsonNode document = mergedDocument();
        List<String> refs = new ArrayList<>();
        collectRefs(document, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/components/schemas/");
            assertThat(document.path("components").path("schemas").has(ref.substring("#/components/schemas/".length()))).as(ref).isTrue();
        }
        given().when().get("/swagger-ui/").then().statusCode(200);
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject() && node.has("$ref")) {
            refs.add(node.get("$ref").asText());
        }
        node.elements().forEachRemaining(child -> collectRefs(child, refs));
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
