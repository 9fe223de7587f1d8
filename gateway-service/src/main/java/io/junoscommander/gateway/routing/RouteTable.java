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
            new Special(Set.of("POST"), Pattern.compile("/api/v1/devices/[^/]+/commands(/.*)?|/api/v1/devices/commands(/.*)?"),
                    Roles.OPERATOR, "device.command"),
            new Special(Set.of("POST", "PUT", "PATCH"), Pattern.compile("/api/v1/devices/[^/]+/config(/.*)?|/api/v1/devices/config(/.*)?"),
                    Roles.ADMIN, "device.config-push"),
            new Special(Set.of("POST", "PUT"), Pattern.compile("/api/v1/backups/(.+/)?restores?(/.*)?"), Roles.ADMIN, "backup.restore"));

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
                return Optional.of(new Decision(route, role, route.name() + "." + action(method)));
            }
        }
        return Optional.empty();
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
