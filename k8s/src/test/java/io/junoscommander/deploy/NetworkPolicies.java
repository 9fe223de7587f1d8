package io.junoscommander.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, as a NetworkPolicy implementation would, whether a TCP connection is allowed by the rendered policies of one
 * namespace: a pod's egress is free until a policy selects it for Egress, then some rule of those policies must allow
 * the destination and port; the same for the destination pod's ingress.
 */
final class NetworkPolicies {

    /** One end of a connection: a pod (its labels and its namespace's labels), or an address outside the cluster. */
    record Endpoint(Map<String, String> podLabels, Map<String, String> namespaceLabels, String address) {

        static Endpoint pod(Map<String, String> labels, String namespace) {
            return new Endpoint(labels, Map.of("kubernetes.io/metadata.name", namespace), null);
        }

        static Endpoint address(String ip) {
            return new Endpoint(null, null, ip);
        }

        boolean isPod() {
            return podLabels != null;
        }
    }

    private final List<JsonNode> policies;
    private final String namespace;

    NetworkPolicies(List<JsonNode> objects, String namespace) {
        this.policies = objects.stream().filter(o -> "NetworkPolicy".equals(o.path("kind").asText())).toList();
        this.namespace = namespace;
    }

    boolean allows(Endpoint from, Endpoint to, int port) {
        return direction(from, to, port, "Egress", "egress", "to") && direction(to, from, port, "Ingress", "ingress", "from");
    }

    private boolean direction(Endpoint subject, Endpoint peer, int port, String type, String rulesField, String peersField) {
        if (!subject.isPod() || !inNamespace(subject)) {
            return true;
        }
        List<JsonNode> selecting = policies.stream().filter(p -> selects(p.path("spec").path("podSelector"), subject.podLabels()))
                .filter(p -> hasType(p, type)).toList();
        if (selecting.isEmpty()) {
            return true;
        }
        for (JsonNode policy : selecting) {
            for (JsonNode rule : policy.path("spec").path(rulesField)) {
                if (portMatches(rule.path("ports"), port) && peerMatches(rule.path(peersField), peer)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean inNamespace(Endpoint endpoint) {
        return namespace.equals(endpoint.namespaceLabels().get("kubernetes.io/metadata.name"));
    }

    private static boolean hasType(JsonNode policy, String type) {
        JsonNode types = policy.path("spec").path("policyTypes");
        if (types.isMissingNode() || types.isEmpty()) {
            return "Ingress".equals(type) || policy.path("spec").has("egress");
        }
        for (JsonNode t : types) {
            if (type.equals(t.asText())) {
                return true;
            }
        }
        return false;
    }

    private static boolean portMatches(JsonNode ports, int port) {
        if (ports.isMissingNode() || ports.isEmpty()) {
            return true;
        }
        for (JsonNode p : ports) {
            if (!"TCP".equals(p.path("protocol").asText("TCP"))) {
                continue;
            }
            if (!p.has("port")) {
                return true;
            }
            int first = p.path("port").asInt(-1);
            int last = p.path("endPort").asInt(first);
            if (port >= first && port <= last) {
                return true;
            }
        }
        return false;
    }

    private boolean peerMatches(JsonNode peers, Endpoint peer) {
        if (peers.isMissingNode() || peers.isEmpty()) {
            return true;
        }
        for (JsonNode entry : peers) {
            if (entry.has("ipBlock")) {
                if (!peer.isPod() && inCidr(peer.address(), entry.path("ipBlock").path("cidr").asText())) {
                    return true;
                }
                continue;
            }
            if (!peer.isPod()) {
                continue;
            }
            boolean namespaceOk = entry.has("namespaceSelector") ? selects(entry.path("namespaceSelector"), peer.namespaceLabels())
                    : inNamespace(peer);
            boolean podOk = !entry.has("podSelector") || selects(entry.path("podSelector"), peer.podLabels());
            if (namespaceOk && podOk) {
                return true;
            }
        }
        return false;
    }

    /** A label selector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist); an empty one selects all. */
    static boolean selects(JsonNode selector, Map<String, String> labels) {
        var matchLabels = selector.path("matchLabels").fields();
        while (matchLabels.hasNext()) {
            var label = matchLabels.next();
            if (!label.getValue().asText().equals(labels.get(label.getKey()))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String value = labels.get(expression.path("key").asText());
            List<String> values = new ArrayList<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            boolean ok = switch (expression.path("operator").asText()) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new IllegalStateException("selector operator " + expression.path("operator"));
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static Map<String, String> labels(JsonNode metadata) {
        Map<String, String> labels = new HashMap<>();
        metadata.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    private static boolean inCidr(String address, String cidr) {
        try {
            String[] parts = cidr.split("/");
            byte[] network = InetAddress.getByName(parts[0]).getAddress();
            byte[] candidate = InetAddress.getByName(address).getAddress();
            int bits = Integer.parseInt(parts[1]);
            if (network.length != candidate.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((network[i / 8] & mask) != (candidate[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an address: " + address + " / " + cidr, e);
        }
    }
}
