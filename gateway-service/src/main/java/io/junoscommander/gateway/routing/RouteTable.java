package io.junoscommander.gateway.routing;

import io.junoscommander.gateway.GatewayConfig;
import io.junoscommander.support.security.Roles;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which upstream serves a path, and which role a method on it needs. The routes come from configuration; a few operations
 * need a different role than their route's read/write split and carry their own audit action (device commands, config
 * pushes, restores): those are the policy, in code, where a review sees them.
 */
@ApplicationScoped
public class RouteTable {

    static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    /** An operation with its own role and audit action. */
    record Special(Set<String> methods, Pattern path, String role, String action) {
    }

    static final List<Special> SPECIAL = List.of(
            new Special(Set.of("POST"), Pattern.compile("/api/v1/devices/commands(/.*)?"), Roles.OPERATOR, "device.command-bulk"),
            new Special(Set.of("POST"), Pattern.compile("/api/v1/devices/[^/]+/commands(/.*)?"), Roles.OPERATOR, "device.command"),
            new Special(Set.of("POST", "PUT", "PATCH"), Pattern.compile("/api/v1/devices/config(/.*)?"), Roles.ADMIN,
                    "device.config-push-bulk"),
            new Special(Set.of("POST", "PUT", "PATCH"), Pattern.compile("/api/v1/devices/[^/]+/config/confirm"), Roles.ADMIN,
                    "device.config-confirm"),
            new Special(Set.of("POST", "PUT", "PATCH"), Pattern.compile("/api/v1/devices/[^/]+/config(/.*)?"), Roles.ADMIN,
                    "device.config-push"),
            new Special(Set.of("POST", "PUT"), Pattern.compile("/api/v1/backups/(.+/)?restores?(/.*)?"), Roles.ADMIN, "backup.restore"));

    /** Operations whose bodies are bulk data (inventory import, configuration push): their route's large-body-size applies. */
    public static final List<Pattern> LARGE_BODIES = List.of(Pattern.compile("/api/v1/devices/import"),
            Pattern.compile("/api/v1/devices/[^/]+/config"), Pattern.compile("/api/v1/devices/config(/.*)?"));

    /**
     * Path segments that name a sub-collection or an action wherever they stand right after a route's prefix or after another
     * such word ({@code /devices/import}, {@code /backups/devices/…}); any other segment there is an id. A segment right after
     * an id is always a word ({@code /devices/{id}/host-key}).
     */
    static final Set<String> WORDS = Set.of("import", "resolve", "commands", "config", "confirm", "re-encrypt", "restores", "devices",
            "wal", "changes", "failures", "login", "logout", "me", "password", "sessions");

    /** A configured route. */
    public record Route(String name, String prefix, String upstream, Optional<String> rewrite, GatewayConfig.Route config) {

        boolean matches(String path) {
            return path.equals(prefix) || path.startsWith(prefix + "/");
        }

        String upstreamPath(String path) {
            return rewrite.map(target -> target + path.substring(prefix.length())).orElse(path);
        }
    }

    /** What a request needs: its route, the role, and the audit action. */
    public record Decision(Route route, String role, String action) {
    }

    /** The largest body a request to {@code path} on {@code route} may declare. */
    public static long maxBody(Route route, String path) {
        boolean large = LARGE_BODIES.stream().anyMatch(pattern -> pattern.matcher(path).matches());
        return (large ? route.config().largeBodySize() : route.config().maxBodySize()).asLongValue();
    }

    private final List<Route> routes = new ArrayList<>();

    RouteTable(GatewayConfig config) {
        config.routes().forEach((name, route) -> {
            if (!config.upstreams().containsKey(route.upstream())) {
                throw new IllegalStateException("route " + name + " names unknown upstream " + route.upstream());
            }
            routes.add(new Route(name, route.prefix(), route.upstream(), route.rewrite(), route));
        });
        // longest prefix first
        routes.sort(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed());
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    public Optional<Decision> decide(String method, String path) {
        for (Route route : routes) {
            if (route.matches(path)) {
                for (Special special : SPECIAL) {
                    if (special.methods().contains(method) && special.path().matcher(path).matches()) {
                        return Optional.of(new Decision(route, special.role(), special.action()));
                    }
                }
                boolean read = READ_METHODS.contains(method);
                String role = read ? route.config().readRole() : route.config().writeRole();
                return Optional.of(new Decision(route, role, action(route.name(), method, path.substring(route.prefix().length()))));
            }
        }
        return Optional.empty();
    }

    /**
     * The audit action of any API request: the route table's decision for a routed path, else the gateway's own API named the
     * same way ({@code users.update}, {@code auth.sessions.delete}). One action per method and path template: the resource,
     * the words of the path (ids left out), and the method's verb; ending every other session of the caller
     * ({@code DELETE /auth/sessions}) is {@code auth.sessions.delete-others}.
     */
    public String auditAction(String method, String path) {
        Optional<Decision> decision = decide(method, path);
        if (decision.isPresent()) {
            return decision.get().action();
        }
        String[] parts = path.split("/");
        if (parts.length < 4) {
            return "api." + action(method);
        }
        String rest = path.substring(("/" + parts[1] + "/" + parts[2] + "/" + parts[3]).length());
        String action = action(parts[3], method, rest);
        return action.equals("auth.sessions.delete") && rest.equals("/sessions") ? "auth.sessions.delete-others" : action;
    }

    /** {@code resource[.word…].verb} for the part of a path after the resource's prefix. */
    static String action(String resource, String method, String rest) {
        StringBuilder action = new StringBuilder(resource);
        boolean afterId = false;
        for (String segment : rest.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            boolean word = afterId || WORDS.contains(segment);
            if (word) {
                action.append('.').append(segment);
            }
            afterId = !word;
        }
        if (resource.equals("auth") && !action.toString().equals("auth") && !action.toString().startsWith("auth.sessions")) {
            // login, logout, password: the word is the action
            return action.toString();
        }
        return action.append('.').append(action(method)).toString();
    }

    static String action(String method) {
        return switch (method) {
            case "POST" -> "create";
            case "PUT", "PATCH" -> "update";
            case "DELETE" -> "delete";
            default -> "read";
        };
    }
}
