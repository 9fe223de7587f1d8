package io.junoscommander.gateway.openapi;

import io.quarkus.arc.Arc;
import io.junoscommander.gateway.routing.RouteTable;
import io.quarkus.arc.ArcContainer;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * Builds the one public document on every request for it: the gateway's own operations, plus each upstream's operations as
 * {@link RoutedApiDocs} rewrote them (replacing the generic entries of the static document for the routes they cover), then
 * the gateway's error shapes on every operation. Runs per request ({@code always-run-filter}) so a service that starts
 * after the gateway, or changes its API, appears without a gateway restart.
 */
public class PublicApiFilter implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        ArcContainer container = Arc.container();
        // also run while the document is built at build time, where there is no container and nothing routed yet
        if (container != null && container.isRunning()) {
            RoutedApiDocs routed = container.instance(RoutedApiDocs.class).get();
            routed.fragments().forEach(fragment -> merge(openAPI, fragment));
            auditActions(openAPI, container.instance(RouteTable.class).get());
        }
        new ProblemResponsesFilter().filterOpenAPI(openAPI);
    }

    /** Every audited operation (any method but GET, HEAD, OPTIONS) says its audit action, the gateway's own ones too. */
    private static void auditActions(OpenAPI openAPI, RouteTable routes) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (!path.startsWith("/api/") || item.getOperations() == null) {
                return;
            }
            // a concrete path, as the audit sees requests
            String sample = path.replaceAll("\\{[^}]+}", "x1");
            item.getOperations().forEach((method, operation) -> {
                String name = method.name();
                boolean audited = !name.equals("GET") && !name.equals("HEAD") && !name.equals("OPTIONS");
                if (audited && (operation.getExtensions() == null || !operation.getExtensions().containsKey("x-audit-action"))) {
                    operation.addExtension("x-audit-action", routes.auditAction(name, sample));
                }
            });
        });
    }

    private static void merge(OpenAPI openAPI, RoutedApiDocs.Fragment fragment) {
        if (openAPI.getPaths() == null) {
            openAPI.setPaths(OASFactory.createPaths());
        }
        fragment.covered().forEach(route -> {
            openAPI.getPaths().removePathItem(route.prefix());
            openAPI.getPaths().removePathItem(route.prefix() + "/{path}");
        });
        if (fragment.model().getPaths() != null && fragment.model().getPaths().getPathItems() != null) {
            fragment.model().getPaths().getPathItems().forEach(openAPI.getPaths()::addPathItem);
        }
        if (fragment.model().getComponents() != null && fragment.model().getComponents().getSchemas() != null) {
            if (openAPI.getComponents() == null) {
                openAPI.setComponents(OASFactory.createComponents());
            }
            for (var schema : fragment.model().getComponents().getSchemas().entrySet()) {
                // the gateway's own schemas (Problem above all) keep their definition
                java.util.Map<String, Schema> existing = openAPI.getComponents().getSchemas();
                if (existing == null || !existing.containsKey(schema.getKey())) {
                    openAPI.getComponents().addSchema(schema.getKey(), schema.getValue());
                }
            }
        }
    }
}
