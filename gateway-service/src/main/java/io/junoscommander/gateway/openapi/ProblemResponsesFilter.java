package io.junoscommander.gateway.openapi;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Adds the error shapes to every operation of the gateway's own API: 401, 403, 429 and 500 as problem+json (400 where a
 * body or parameters are validated), so the one document says what each route answers when it refuses.
 */
public class ProblemResponsesFilter implements OASFilter {

    private static final Map<String, String> ERRORS = Map.of(
            "400", "Invalid request: problem+json with the offending fields in errors[]",
            "401", "No or invalid session/API token (problem+json, type urn:junoscommander:problem:unauthorized)",
            "403", "Role too low (problem+json, type urn:junoscommander:problem:forbidden)",
            "429", "Rate limit reached, or login locked after repeated failures; Retry-After (problem+json)",
            "500", "Unexpected error; quote the requestId (problem+json, never a stack trace)");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (!path.startsWith("/api/")) {
                return;
            }
            for (Map.Entry<PathItem.HttpMethod, Operation> entry : item.getOperations().entrySet()) {
                Operation operation = entry.getValue();
                APIResponses responses = operation.getResponses() == null ? OASFactory.createAPIResponses() : operation.getResponses();
                boolean login = path.equals("/api/v1/auth/login");
                ERRORS.forEach((code, text) -> {
                    if (login && code.equals("403")) {
                        return;
                    }
                    if (!responses.hasAPIResponse(code)) {
                        responses.addAPIResponse(code, OASFactory.createAPIResponse().description(text)
                                .content(OASFactory.createContent().addMediaType("application/problem+json", OASFactory.createMediaType()
                                        .schema(OASFactory.createSchema().ref("#/components/schemas/Problem")))));
                    }
                });
                operation.setResponses(responses);
            }
        });
    }
}
