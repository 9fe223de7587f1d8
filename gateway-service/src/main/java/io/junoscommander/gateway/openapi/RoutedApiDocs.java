package io.junoscommander.gateway.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junoscommander.gateway.routing.RouteTable;
import io.junoscommander.gateway.routing.Upstreams;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.openapi.api.SmallRyeOpenAPI;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.jboss.logging.Logger;

/**
 * The routed part of the public API document: each upstream's own OpenAPI description, fetched from the service and
 * rewritten as the gateway exposes it. Only operations under a route the gateway serves are kept, at their public path;
 * each one says the role the gateway demands (and the audit action), carries the gateway's bearer security and the error
 * shapes the gateway itself answers with (401, 403, 429, 502, 503, 504). Fetched at start and refreshed periodically;
 * the last good description of an upstream is kept while it is unreachable, and a route whose upstream never answered
 * keeps the generic entries of the static document.
 */
@ApplicationScoped
public class RoutedApiDocs {

    private static final Logger LOG = Logger.getLogger(RoutedApiDocs.class);
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    private static final Map<String, String> GATEWAY_ERRORS = Map.of(
            "401", "No or invalid session/API token (problem+json, type urn:junoscommander:problem:unauthorized)",
            "403", "Role too low (problem+json, type urn:junoscommander:problem:forbidden)",
            "429", "Rate limit of this user or token reached; Retry-After (problem+json)",
            "502", "Upstream unreachable (problem+json)",
            "503", "Upstream circuit open; Retry-After (problem+json)",
            "504", "Upstream did not answer within the route's timeout (problem+json)");

    /** One upstream's operations as the gateway exposes them, and the routes they cover (their generic entries go). */
    public record Fragment(String upstream, OpenAPI model, List<RouteTable.Route> covered) {
    }

    private final Upstreams upstreams;
    private final RouteTable routes;
    private final ObjectMapper json;
    private final Map<String, Fragment> fragments = new ConcurrentHashMap<>();

    RoutedApiDocs(Upstreams upstreams, RouteTable routes, ObjectMapper json) {
        this.upstreams = upstreams;
        this.routes = routes;
        this.json = json;
    }

    /** The fragments known now, one per upstream that described itself at least once. */
    public List<Fragment> fragments() {
        return fragments.values().stream().sorted((a, b) -> a.upstream().compareTo(b.upstream())).toList();
    }

    void onStart(@Observes StartupEvent event) {
        refresh().subscribe().with(ignored -> { }, e -> { });
    }

    @Scheduled(every = "${gateway.openapi.refresh:30s}", delayed = "${gateway.openapi.refresh:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        List<Uni<Void>> fetches = new ArrayList<>();
        upstreams.all().values().forEach(upstream -> {
            boolean routed = routes.routes().stream().anyMatch(route -> route.upstream().equals(upstream.name()));
            if (routed && !"none".equals(upstream.config().openapiPath())) {
                fetches.add(fetch(upstream).onFailure().invoke(e -> LOG.debugf("no API description from %s yet: %s", upstream.name(),
                        e.getMessage())).onFailure().recoverWithNull());
            }
        });
        return fetches.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(fetches).andFailFast().replaceWithVoid();
    }

    private Uni<Void> fetch(Upstreams.Upstream upstream) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(upstream.base().getHost())
                .setPort(upstream.base().getPort() > 0 ? upstream.base().getPort() : 80)
                .setURI(upstream.base().getRawPath() + upstream.config().openapiPath() + "?format=json")
                .putHeader("Accept", "application/json")
                .setIdleTimeout(FETCH_TIMEOUT.toMillis()).setConnectTimeout(FETCH_TIMEOUT.toMillis());
        return Uni.createFrom().completionStage(() -> upstream.client().request(options)
                .compose(request -> request.send().compose(response -> response.body().map(body -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException(upstream.name() + " answered " + response.statusCode());
                    }
                    return body.getBytes();
                }))).toCompletionStage())
                .ifNoItem().after(FETCH_TIMEOUT).fail()
                .invoke(body -> {
                    try {
                        Optional<Fragment> fragment = fragment(upstream.name(), json.readTree(body));
                        fragment.ifPresent(f -> fragments.put(upstream.name(), f));
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("unreadable API description from " + upstream.name() + ": " + e.getMessage(), e);
                    }
                }).replaceWithVoid();
    }

    /** The upstream's description narrowed to the gateway's routes for it and rewritten to their public paths. */
    Optional<Fragment> fragment(String upstream, JsonNode document) throws java.io.IOException {
        ObjectNode paths = json.createObjectNode();
        List<RouteTable.Route> covered = new ArrayList<>();
        Map<String, String> renamedSchemas = schemaNames(upstream, document);
        JsonNode sourcePaths = document.path("paths");
        for (Iterator<Map.Entry<String, JsonNode>> it = sourcePaths.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            for (RouteTable.Route route : routes.routes()) {
                if (!route.upstream().equals(upstream)) {
                    continue;
                }
                Optional<String> publicPath = publicPath(route, entry.getKey());
                if (publicPath.isEmpty() || paths.has(publicPath.get())) {
                    continue;
                }
                ObjectNode item = entry.getValue().deepCopy();
                describe(route, publicPath.get(), item);
                paths.set(publicPath.get(), item);
                if (!covered.contains(route)) {
                    covered.add(route);
                }
            }
        }
        if (covered.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode schemas = json.createObjectNode();
        document.path("components").path("schemas").fields()
                .forEachRemaining(schema -> schemas.set(renamedSchemas.get(schema.getKey()), schema.getValue().deepCopy()));
        ObjectNode merged = json.createObjectNode().put("openapi", document.path("openapi").asText("3.1.0"));
        merged.putObject("info").put("title", upstream).put("version", document.path("info").path("version").asText("0"));
        merged.set("paths", paths);
        merged.putObject("components").set("schemas", schemas);
        renameRefs(merged, renamedSchemas);
        byte[] bytes = json.writeValueAsBytes(merged);
        OpenAPI model = SmallRyeOpenAPI.builder().withConfig(ConfigProvider.getConfig()).enableModelReader(false)
                .enableStandardFilter(false).enableAnnotationScan(false).enableStandardStaticFiles(false)
                .withCustomStaticFile(() -> new ByteArrayInputStream(bytes)).build().model();
        return Optional.of(new Fragment(upstream, model, List.copyOf(covered)));
    }

    /** Where a path of the upstream appears on the gateway, if a route of this upstream serves it. */
    static Optional<String> publicPath(RouteTable.Route route, String upstreamPath) {
        String upstreamPrefix = route.rewrite().orElse(route.prefix());
        if (upstreamPath.equals(upstreamPrefix)) {
            return Optional.of(route.prefix());
        }
        if (upstreamPath.startsWith(upstreamPrefix + "/")) {
            return Optional.of(route.prefix() + upstreamPath.substring(upstreamPrefix.length()));
        }
        return Optional.empty();
    }

    /** The gateway's view of each operation: its role and audit action, its security, its error answers. */
    private void describe(RouteTable.Route route, String publicPath, ObjectNode item) {
        // a concrete path, for the role rules written as patterns over real paths
        String sample = publicPath.replaceAll("\\{[^}]+}", "x1");
        item.fields().forEachRemaining(operationEntry -> {
            if (!METHODS.contains(operationEntry.getKey()) || !operationEntry.getValue().isObject()) {
                return;
            }
            ObjectNode operation = (ObjectNode) operationEntry.getValue();
            String method = operationEntry.getKey().toUpperCase(Locale.ROOT);
            RouteTable.Decision decision = routes.decide(method, sample).orElseThrow();
            String audited = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS") ? ""
                    : " Audited as " + decision.action() + ".";
            String own = operation.path("description").asText(operation.path("summary").asText(""));
            operation.put("description", "Requires role " + decision.role() + " (roles nest: viewer < operator < admin). Routed to "
                    + route.upstream() + "." + audited + (own.isBlank() ? "" : "\n\n" + own));
            if (!operation.has("summary")) {
                operation.put("summary", method + " " + publicPath + " (role: " + decision.role() + ")");
            }
            operation.put("x-required-role", decision.role());
            if (!audited.isEmpty()) {
                operation.put("x-audit-action", decision.action());
            }
            if (!operation.has("tags")) {
                operation.putArray("tags").add(route.name());
            }
            ArrayNode security = operation.putArray("security");
            security.addObject().putArray("bearer");
            ObjectNode responses = operation.has("responses") && operation.get("responses").isObject()
                    ? (ObjectNode) operation.get("responses") : operation.putObject("responses");
            // these the gateway answers itself, whatever the service says of them
            GATEWAY_ERRORS.forEach((code, text) -> responses.putObject(code).put("description", text).putObject("content")
                    .putObject("application/problem+json").putObject("schema").put("$ref", "#/components/schemas/Problem"));
        });
    }

    /**
     * Schema names as they will appear in the merged document: kept, unless another upstream already brought a schema of
     * that name, then prefixed with this upstream's name (two services may well mean different things by {@code Page}).
     */
    private Map<String, String> schemaNames(String upstream, JsonNode document) {
        Map<String, String> names = new LinkedHashMap<>();
        document.path("components").path("schemas").fields().forEachRemaining(schema -> {
            boolean clash = fragments.values().stream().filter(f -> !f.upstream().equals(upstream))
                    .anyMatch(f -> f.model().getComponents() != null && f.model().getComponents().getSchemas() != null
                            && f.model().getComponents().getSchemas().containsKey(schema.getKey()));
            names.put(schema.getKey(), clash ? upstream + "." + schema.getKey() : schema.getKey());
        });
        return names;
    }

    private static void renameRefs(JsonNode node, Map<String, String> names) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            JsonNode ref = object.get("$ref");
            if (ref != null && ref.isTextual() && ref.asText().startsWith("#/components/schemas/")) {
                String name = ref.asText().substring("#/components/schemas/".length());
                object.put("$ref", "#/components/schemas/" + names.getOrDefault(name, name));
            }
            object.elements().forEachRemaining(child -> renameRefs(child, names));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(child -> renameRefs(child, names));
        }
    }
}
