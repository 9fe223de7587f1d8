package io.junoscommander.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junoscommander.deploy.NetworkPolicies.Endpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders the kustomize overlays and checks what a cluster would otherwise only tell at apply time, or never: every
 * object against the Kubernetes 1.32 and CloudNativePG schemas (strictly: unknown fields fail), and the properties the
 * deployment promises: probes on the management port, CPU requests for the HPA, security contexts, a grace period longer
 * than the shutdown, migrations in an init container, an HPA and a PDB per service that select something, network rules
 * that let the gateway reach the services and nothing else in, settings that a service reads, Secrets that the generator
 * provides.
 */
class KustomizeManifestsTest {

    private static final List<String> SERVICES = List.of("gateway-service", "device-service", "task-service", "backup-service");
    private static final String NAMESPACE = "junoscommander";
    private static final Map<String, List<JsonNode>> RENDERED = new HashMap<>();
    private static StrictSchemaValidator validator;

    @BeforeAll
    static void renderAndLoadSchemas() {
        for (String kustomization : List.of("base", "overlays/local", "overlays/production")) {
            RENDERED.put(kustomization, RenderedManifests.render(kustomization));
        }
        validator = StrictSchemaValidator.fromResources(
                Stream.of("api_v1", "apis_apps_v1", "apis_autoscaling_v2", "apis_batch_v1", "apis_networking.k8s.io_v1",
                        "apis_policy_v1").map(group -> "/schemas/kubernetes-1.32-" + group + ".json").toList(),
                List.of("/schemas/cloudnative-pg-clusters.json", "/schemas/cloudnative-pg-poolers.json"));
    }

    // ------------------------------------------------------------------------------------------------------- schemas

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
    void everyRenderedObjectMatchesItsSchemaStrictly(String kustomization) {
        List<JsonNode> objects = RENDERED.get(kustomization);
        assertThat(objects).hasSizeGreaterThan(30);
        List<String> problems = new ArrayList<>();
        for (JsonNode object : objects) {
            validator.validate(object).forEach(error -> problems.add(object.path("kind").asText() + "/"
                    + object.path("metadata").path("name").asText() + " " + error));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theProductionOverlayIsValidatedAgainstTheCloudNativePgSchemas() {
        List<String> kinds = RENDERED.get("overlays/production").stream().map(o -> o.path("apiVersion").asText() + " " + o.path("kind")
                .asText()).toList();
        assertThat(kinds).contains("postgresql.cnpg.io/v1 Cluster", "postgresql.cnpg.io/v1 Pooler");
        ObjectNode cluster = (ObjectNode) only("overlays/production", "Cluster", "junoscommander-db").deepCopy();
        ((ObjectNode) cluster.path("spec")).put("instance", 3);
        assertThat(validator.validate(cluster)).containsExactly("$.spec.instance: unknown field");
    }

    @Test
    void anUnknownFieldIsRejected() {
        ObjectNode deployment = deployment("overlays/local", "gateway-service");
        ((ObjectNode) container(deployment)).putObject("readinesProbe").putObject("httpGet").put("path", "/health/ready");
        assertThat(validator.validate(deployment)).containsExactly("$.spec.template.spec.containers[0].readinesProbe: unknown field");
    }

    @Test
    void aWrongTypeIsRejected() {
        ObjectNode deployment = deployment("overlays/local", "device-service");
        ((ObjectNode) deployment.path("spec")).put("replicas", "two");
        ((ObjectNode) container(deployment).path("ports").get(0)).put("containerPort", 70_000_000_000L);
        assertThat(validator.validate(deployment)).containsExactlyInAnyOrder(
                "$.spec.replicas: expected integer (int32), got string \"two\"",
                "$.spec.template.spec.containers[0].ports[0].containerPort: expected integer (int32), got number 70000000000");
    }

    @Test
    void aMissingRequiredFieldIsRejected() {
        ObjectNode deployment = deployment("overlays/local", "task-service");
        ((ObjectNode) deployment.path("spec")).remove("selector");
        ((ObjectNode) container(deployment)).remove("name");
        assertThat(validator.validate(deployment)).containsExactlyInAnyOrder("$.spec.selector: required field missing",
                "$.spec.template.spec.containers[0].name: required field missing");
    }

    @Test
    void anUnknownKindIsRejected() {
        ObjectNode deployment = deployment("overlays/local", "task-service");
        deployment.put("apiVersion", "apps/v1beta9");
        assertThat(validator.validate(deployment)).containsExactly("$: no schema for apps/v1beta9/Deployment");
    }

    // ---------------------------------------------------------------------------------------------------- deployments

    @ParameterizedTest
    @ValueSource(strings = {"overlays/local", "overlays/production"})
    void everyServiceHasTheThreeProbesOnItsManagementPort(String kustomization) {
        for (String service : SERVICES) {
            JsonNode container = container(deployment(kustomization, service));
            String managementPort = settings(kustomization, service).get("MANAGEMENT_PORT");
            assertThat(managementPort).as(service + " MANAGEMENT_PORT").isNotNull();
            JsonNode management = named(container.path("ports"), "management");
            assertThat(management.path("containerPort").asText()).as(service).isEqualTo(managementPort);
            assertThat(named(container.path("ports"), "http").path("containerPort").asText()).as(service)
                    .isEqualTo(settings(kustomization, service).get("HTTP_PORT"));
            Map<String, String> paths = Map.of("startupProbe", "/health/started", "livenessProbe", "/health/live",
                    "readinessProbe", "/health/ready");
            paths.forEach((probe, path) -> {
                JsonNode httpGet = container.path(probe).path("httpGet");
                assertThat(httpGet.path("path").asText()).as(service + " " + probe).isEqualTo(path);
                assertThat(httpGet.path("port").asText()).as(service + " " + probe).isIn("management", managementPort);
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/local", "overlays/production"})
    void everyContainerHasCpuAndMemoryRequestsAndLimits(String kustomization) {
        for (JsonNode workload : workloads(kustomization)) {
            for (JsonNode container : allContainers(workload)) {
                JsonNode resources = container.path("resources");
                for (String kind : List.of("requests", "limits")) {
                    for (String resource : List.of("cpu", "memory")) {
                        assertThat(resources.path(kind).path(resource).asText()).as(name(workload) + " " + kind + "." + resource)
                                .isNotBlank();
                    }
                }
            }
        }
    }

    @Test
    void theCpuRequestsAreTheOnesSizingMdDerivesFromTheMeasurement() throws IOException {
        Pattern row = Pattern.compile("^\\| `([a-z]+-service)` \\|.*\\| `([0-9]+m)` \\|$");
        Map<String, String> sized = new HashMap<>();
        for (String line : Files.readAllLines(RenderedManifests.repositoryRoot().resolve("k8s/base/SIZING.md"))) {
            Matcher matcher = row.matcher(line.strip());
            if (matcher.matches()) {
                sized.put(matcher.group(1), matcher.group(2));
            }
        }
        assertThat(sized.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
        for (String kustomization : List.of("base", "overlays/local", "overlays/production")) {
            for (String service : SERVICES) {
                assertThat(container(deployment(kustomization, service)).path("resources").path("requests").path("cpu").asText())
                        .as(kustomization + " " + service).isEqualTo(sized.get(service));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/local", "overlays/production"})
    void everyPodRunsNonRootReadOnlyWithoutCapabilities(String kustomization) {
        for (JsonNode workload : workloads(kustomization)) {
            JsonNode pod = podSpec(workload);
            String what = name(workload);
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as(what + " service account token").isFalse();
            JsonNode podSecurity = pod.path("securityContext");
            assertThat(podSecurity.path("runAsNonRoot").asBoolean()).as(what).isTrue();
            assertThat(podSecurity.path("runAsUser").asInt()).as(what).isEqualTo(10001);
            assertThat(podSecurity.path("runAsGroup").asInt()).as(what).isEqualTo(10001);
            assertThat(podSecurity.path("seccompProfile").path("type").asText()).as(what).isEqualTo("RuntimeDefault");
            Set<String> emptyDirs = new HashSet<>();
            pod.path("volumes").forEach(v -> {
                if (v.has("emptyDir")) {
                    emptyDirs.add(v.path("name").asText());
                }
            });
            for (JsonNode container : allContainers(workload)) {
                JsonNode security = container.path("securityContext");
                assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).as(what).isFalse();
                assertThat(security.path("readOnlyRootFilesystem").asBoolean()).as(what).isTrue();
                assertThat(security.path("capabilities").path("drop").toString()).as(what).isEqualTo("[\"ALL\"]");
                boolean writableTmp = false;
                for (JsonNode mount : container.path("volumeMounts")) {
                    writableTmp |= "/tmp".equals(mount.path("mountPath").asText()) && emptyDirs.contains(mount.path("name").asText());
                }
                assertThat(writableTmp).as(what + " /tmp on an emptyDir").isTrue();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/local", "overlays/production"})
    void theGracePeriodOutlastsPreStopPlusShutdownDelayAndTimeout(String kustomization) {
        for (String service : SERVICES) {
            JsonNode deployment = deployment(kustomization, service);
            Map<String, String> settings = settings(kustomization, service);
            long preStop = container(deployment).path("lifecycle").path("preStop").path("sleep").path("seconds").asLong(-1);
            assertThat(preStop).as(service + " preStop sleep").isPositive();
            long shutdown = preStop + seconds(settings.get("SHUTDOWN_DELAY")) + seconds(settings.get("SHUTDOWN_TIMEOUT"));
            assertThat(podSpec(deployment).path("terminationGracePeriodSeconds").asLong()).as(service).isGreaterThan(shutdown);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/local", "overlays/production"})
    void servicesRollOutWithoutLosingCapacity(String kustomization) {
        for (String service : SERVICES) {
            JsonNode spec = deployment(kustomization, service).path("spec");
            assertThat(spec.path("replicas").asInt()).as(service).isGreaterThanOrEqualTo(2);
            assertThat(spec.path("strategy").path("type").asText()).isEqualTo("RollingUpdate");
            assertThat(spec.path("strategy").path("rollingUpdate").path("maxUnavailable").asText()).as(service).isEqualTo("0");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/local", "overlays/production"})
    void everyServiceHasAnHpaOnCpuAndMemoryAndAPdbThatSelectItsPods(String kustomization) {
        for (String service : SERVICES) {
            JsonNode deployment = deployment(kustomization, service);
            Map<String, String> podLabels = NetworkPolicies.labels(deployment.path("spec").path("template").path("metadata"));
            JsonNode hpa = only(kustomization, "HorizontalPodAutoscaler", service).path("spec");
            assertThat(hpa.path("scaleTargetRef").path("kind").asText()).isEqualTo("Deployment");
            assertThat(objects(kustomization, "Deployment").stream().map(KustomizeManifestsTest::name))
                    .contains(hpa.path("scaleTargetRef").path("name").asText());
            assertThat(hpa.path("minReplicas").asInt()).as(service).isGreaterThanOrEqualTo(2)
                    .isLessThanOrEqualTo(deployment.path("spec").path("replicas").asInt());
            assertThat(hpa.path("maxReplicas").asInt()).as(service).isEqualTo(10);
            Map<String, Integer> targets = new HashMap<>();
            hpa.path("metrics").forEach(m -> targets.put(m.path("resource").path("name").asText(),
                    m.path("resource").path("target").path("averageUtilization").asInt()));
            assertThat(targets).as(service).isEqualTo(Map.of("cpu", 70, "memory", 80));
            assertThat(hpa.path("behavior").path("scaleDown").path("stabilizationWindowSeconds").asInt()).as(service)
                    .isGreaterThanOrEqualTo(60);
            JsonNode pdb = only(kustomization, "PodDisruptionBudget", service).path("spec");
            assertThat(NetworkPolicies.selects(pdb.path("selector"), podLabels)).as(service + " PDB selects its pods").isTrue();
            assertThat(pdb.path("minAvailable").asInt()).as(service).isPositive()
                    .isLessThan(hpa.path("minReplicas").asInt());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/local", "overlays/production"})
    void everyServiceAndPdbSelectsPods(String kustomization) {
        List<Map<String, String>> pods = workloads(kustomization).stream()
                .map(w -> NetworkPolicies.labels(w.path("spec").path("template").path("metadata"))).toList();
        for (JsonNode service : objects(kustomization, "Service")) {
            Map<String, String> selector = new HashMap<>();
            service.path("spec").path("selector").fields().forEachRemaining(e -> selector.put(e.getKey(), e.getValue().asText()));
            assertThat(selector).as(name(service)).isNotEmpty();
            assertThat(pods).as("pods selected by Service " + name(service))
                    .anyMatch(labels -> labels.entrySet().containsAll(selector.entrySet()));
        }
        for (JsonNode pdb : objects(kustomization, "PodDisruptionBudget")) {
            assertThat(pods).as("pods selected by PDB " + name(pdb))
                    .anyMatch(labels -> NetworkPolicies.selects(pdb.path("spec").path("selector"), labels));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/local", "overlays/production"})
    void everyServiceMigratesItsSchemaInAnInitContainerOfItsOwnImageAndDoesNotMigrateItself(String kustomization) {
        for (String service : SERVICES) {
            JsonNode deployment = deployment(kustomization, service);
            JsonNode init = podSpec(deployment).path("initContainers");
            assertThat(init.size()).as(service + " init containers").isEqualTo(1);
            assertThat(init.get(0).path("image").asText()).isEqualTo(container(deployment).path("image").asText());
            assertThat(env(init.get(0))).as(service + " init").containsEntry("MIGRATE_AND_EXIT", "true")
                    .containsEntry("DB_MIGRATE_AT_START", "true");
            assertThat(settings(kustomization, service)).as(service).containsEntry("DB_MIGRATE_AT_START", "false")
                    .doesNotContainKey("MIGRATE_AND_EXIT");
        }
        assertThat(objects(kustomization, "Job")).as("no separate migration Job: the init containers order it").isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ settings, secrets

    @ParameterizedTest
    @ValueSource(strings = {"overlays/local", "overlays/production"})
    void everySettingGivenToAServiceIsOneItReads(String kustomization) {
        List<JsonNode> containers = new ArrayList<>();
        SERVICES.forEach(service -> containers.addAll(allContainers(deployment(kustomization, service))));
        for (JsonNode container : containers) {
            String module = container.path("image").asText().replaceAll("^junoscommander/|:.*$", "");
            Set<String> read = settingsReadBy(module);
            Set<String> given = new HashSet<>(env(container).keySet());
            for (JsonNode source : container.path("envFrom")) {
                given.addAll(configMap(kustomization, source.path("configMapRef").path("name").asText()).keySet());
            }
            assertThat(read).as(module + " reads").contains("DB_HOST", "HTTP_PORT");
            assertThat(given).as("settings given to " + module + " that it never reads").isSubsetOf(read);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
    void noSecretIsInlinedAndEveryReferencedSecretKeyIsProvided(String kustomization) {
        assertThat(objects(kustomization, "Secret")).as("Secrets in the manifests").isEmpty();
        Map<String, Set<String>> provided = generatedSecrets();
        if (kustomization.equals("overlays/production")) {
            // made by others: the CloudNativePG operator (the cluster's CA) and whoever issues the Redis certificates
            provided.put("junoscommander-db-ca", Set.of("ca.crt"));
            provided.put("junoscommander-redis-ca", Set.of("ca.crt"));
        }
        for (JsonNode workload : workloads(kustomization)) {
            JsonNode pod = podSpec(workload);
            for (JsonNode container : allContainers(workload)) {
                for (JsonNode variable : container.path("env")) {
                    JsonNode ref = variable.path("valueFrom").path("secretKeyRef");
                    if (!ref.isMissingNode()) {
                        assertThat(provided.getOrDefault(ref.path("name").asText(), Set.of())).as(name(workload) + " "
                                + variable.path("name").asText()).contains(ref.path("key").asText());
                    }
                }
                for (JsonNode source : container.path("envFrom")) {
                    if (source.has("configMapRef")) {
                        configMap(kustomization, source.path("configMapRef").path("name").asText());
                    }
                }
            }
            for (JsonNode volume : pod.path("volumes")) {
                JsonNode secret = volume.path("secret");
                if (!secret.isMissingNode()) {
                    Set<String> keys = provided.get(secret.path("secretName").asText());
                    assertThat(keys).as(name(workload) + " volume " + volume.path("name").asText()).isNotNull();
                    secret.path("items").forEach(item -> assertThat(keys).contains(item.path("key").asText()));
                }
                if (volume.has("configMap")) {
                    configMap(kustomization, volume.path("configMap").path("name").asText());
                }
            }
        }
        JsonNode cluster = kustomization.equals("overlays/production") ? only(kustomization, "Cluster", "junoscommander-db") : null;
        if (cluster != null) {
            assertThat(provided).containsKey(cluster.path("spec").path("bootstrap").path("initdb").path("secret").path("name").asText());
            cluster.path("spec").path("managed").path("roles").forEach(role -> assertThat(provided)
                    .containsKey(role.path("passwordSecret").path("name").asText()));
        }
    }

    // ------------------------------------------------------------------------------------------------ network policies

    @ParameterizedTest
    @ValueSource(strings = {"overlays/local", "overlays/production"})
    void onlyTheGatewayIsReachableFromOutsideAndItReachesEveryService(String kustomization) {
        NetworkPolicies policies = new NetworkPolicies(RENDERED.get(kustomization), NAMESPACE);
        Endpoint outside = Endpoint.pod(Map.of("app", "ingress-nginx"), "ingress-nginx");
        Endpoint monitoring = Endpoint.pod(Map.of("app", "prometheus"), "monitoring");
        Endpoint gateway = pod(kustomization, "gateway-service");
        assertThat(policies.allows(outside, gateway, 8080)).as("outside -> gateway API").isTrue();
        assertThat(policies.allows(outside, gateway, 9080)).as("outside -> gateway management").isFalse();
        for (String service : SERVICES) {
            Endpoint target = pod(kustomization, service);
            int api = Integer.parseInt(settings(kustomization, service).get("HTTP_PORT"));
            int management = Integer.parseInt(settings(kustomization, service).get("MANAGEMENT_PORT"));
            assertThat(policies.allows(monitoring, target, management)).as("Prometheus -> " + service + " /metrics").isTrue();
            assertThat(policies.allows(outside, target, management)).as("outside -> " + service + " management").isFalse();
            if (!service.equals("gateway-service")) {
                assertThat(policies.allows(outside, target, api)).as("outside -> " + service).isFalse();
                assertThat(policies.allows(gateway, target, api)).as("gateway -> " + service).isTrue();
                assertThat(policies.allows(gateway, target, management)).as("gateway -> " + service + " readiness").isTrue();
            }
        }
        Endpoint device = pod(kustomization, "device-service");
        assertThat(policies.allows(pod(kustomization, "task-service"), device, 8081)).as("task -> device").isTrue();
        assertThat(policies.allows(pod(kustomization, "backup-service"), device, 8081)).as("backup -> device").isTrue();
        assertThat(policies.allows(device, pod(kustomization, "task-service"), 8082)).as("device -> task").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/local", "overlays/production"})
    void onlyTheServicesReachPgBouncerAndRedisAndOnlyTheDeviceServiceOpensSsh(String kustomization) {
        NetworkPolicies policies = new NetworkPolicies(RENDERED.get(kustomization), NAMESPACE);
        boolean local = kustomization.equals("overlays/local");
        Endpoint pgBouncer = local ? pod(kustomization, "pgbouncer")
                : Endpoint.pod(Map.of("app.kubernetes.io/name", "pgbouncer", "cnpg.io/poolerName", "junoscommander-db-pooler-rw"),
                        NAMESPACE);
        Endpoint postgres = local ? pod(kustomization, "postgresql")
                : Endpoint.pod(Map.of("app.kubernetes.io/name", "postgresql", "cnpg.io/cluster", "junoscommander-db"), NAMESPACE);
        Endpoint sentinel = local ? pod(kustomization, "redis-sentinel") : Endpoint.pod(Map.of("app", "sentinel"), "redis");
        Endpoint redis = local ? pod(kustomization, "redis") : Endpoint.pod(Map.of("app", "redis"), "redis");
        Endpoint deviceNetwork = Endpoint.address("10.20.30.40");
        Endpoint stranger = Endpoint.pod(Map.of("app", "debug"), NAMESPACE);
        int dbPort = Integer.parseInt(settings(kustomization, "gateway-service").get("DB_PORT"));
        for (String service : SERVICES) {
            Endpoint from = pod(kustomization, service);
            assertThat(policies.allows(from, pgBouncer, dbPort)).as(service + " -> PgBouncer").isTrue();
            assertThat(policies.allows(from, sentinel, 26379)).as(service + " -> Sentinel").isTrue();
            assertThat(policies.allows(from, redis, 6379)).as(service + " -> Redis").isTrue();
            assertThat(policies.allows(from, deviceNetwork, 22)).as(service + " -> SSH").isEqualTo(service.equals("device-service"));
            // the init container's migrations; the backup service's replication protocol and dumps
            assertThat(policies.allows(from, postgres, 5432)).as(service + " -> PostgreSQL directly").isTrue();
        }
        assertThat(policies.allows(stranger, pgBouncer, dbPort)).as("another pod -> PgBouncer").isFalse();
        assertThat(policies.allows(stranger, postgres, 5432)).as("another pod -> PostgreSQL").isFalse();
        assertThat(policies.allows(pod(kustomization, "gateway-service"), postgres, 6432)).as("gateway -> PostgreSQL, other port")
                .isFalse();
        if (local) {
            assertThat(policies.allows(stranger, sentinel, 26379)).as("another pod -> Sentinel").isFalse();
            assertThat(policies.allows(pgBouncer, postgres, 5432)).as("PgBouncer -> PostgreSQL").isTrue();
            assertThat(policies.allows(sentinel, redis, 6379)).as("Sentinel -> Redis").isTrue();
            assertThat(policies.allows(pod(kustomization, "device-service"), pod(kustomization, "device-lab"), 22005)).isTrue();
            assertThat(policies.allows(pod(kustomization, "task-service"), pod(kustomization, "device-lab"), 22005)).isFalse();
        }
    }

    // ------------------------------------------------------------------------------------------------------- helpers

    private static List<JsonNode> objects(String kustomization, String kind) {
        return RENDERED.get(kustomization).stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    private static JsonNode only(String kustomization, String kind, String name) {
        List<JsonNode> found = objects(kustomization, kind).stream().filter(o -> name.equals(name(o))).toList();
        assertThat(found).as(kind + " " + name + " in " + kustomization).hasSize(1);
        return found.get(0);
    }

    private static ObjectNode deployment(String kustomization, String name) {
        return (ObjectNode) only(kustomization, "Deployment", name).deepCopy();
    }

    private static List<JsonNode> workloads(String kustomization) {
        return RENDERED.get(kustomization).stream().filter(o -> Set.of("Deployment", "StatefulSet", "Job")
                .contains(o.path("kind").asText())).toList();
    }

    private static JsonNode podSpec(JsonNode workload) {
        return workload.path("spec").path("template").path("spec");
    }

    private static JsonNode container(JsonNode workload) {
        return podSpec(workload).path("containers").get(0);
    }

    private static List<JsonNode> allContainers(JsonNode workload) {
        List<JsonNode> containers = new ArrayList<>();
        podSpec(workload).path("initContainers").forEach(containers::add);
        podSpec(workload).path("containers").forEach(containers::add);
        return containers;
    }

    private static String name(JsonNode object) {
        return object.has("metadata") ? object.path("metadata").path("name").asText() : object.path("name").asText();
    }

    private static JsonNode named(JsonNode list, String name) {
        for (JsonNode item : list) {
            if (name.equals(item.path("name").asText())) {
                return item;
            }
        }
        throw new AssertionError("nothing named " + name + " in " + list);
    }

    private static Endpoint pod(String kustomization, String workload) {
        JsonNode found = workloads(kustomization).stream().filter(w -> workload.equals(name(w))).findFirst()
                .orElseThrow(() -> new AssertionError("no workload " + workload + " in " + kustomization));
        return Endpoint.pod(NetworkPolicies.labels(found.path("spec").path("template").path("metadata")), NAMESPACE);
    }

    private static Map<String, String> configMap(String kustomization, String name) {
        Map<String, String> data = new HashMap<>();
        only(kustomization, "ConfigMap", name).path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
        return data;
    }

    /** What a service's container sees: its ConfigMaps (in envFrom order) overridden by its literal env entries. */
    private static Map<String, String> settings(String kustomization, String service) {
        JsonNode container = container(deployment(kustomization, service));
        Map<String, String> settings = new HashMap<>();
        container.path("envFrom").forEach(source -> settings.putAll(configMap(kustomization,
                source.path("configMapRef").path("name").asText())));
        settings.putAll(env(container));
        return settings;
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        container.path("env").forEach(v -> env.put(v.path("name").asText(), v.has("value") ? v.path("value").asText() : "(reference)"));
        return env;
    }

    private static long seconds(String duration) {
        return Duration.parse("PT" + duration.toUpperCase()).toSeconds();
    }

    private static final Pattern PROPERTY_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]+)");
    private static final Pattern JAVA_LITERAL = Pattern.compile("\"([A-Z][A-Z0-9_]+)\"");
    /** Environment variables a service module reads: ${NAME} in its configuration, or a "NAME" literal in its code. */
    private static Set<String> settingsReadBy(String module) {
        Path root = RenderedManifests.repositoryRoot();
        Set<String> names = new HashSet<>();
        for (Path dir : List.of(root.resolve("service-support/src/main"), root.resolve(module).resolve("src/main"))) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String name = file.getFileName().toString();
                    Pattern pattern = name.endsWith(".properties") ? PROPERTY_REFERENCE : name.endsWith(".java") ? JAVA_LITERAL : null;
                    if (pattern != null) {
                        Matcher matcher = pattern.matcher(Files.readString(file));
                        while (matcher.find()) {
                            names.add(matcher.group(1));
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }

    /** The Secrets scripts/k8s-secrets.sh writes: name to keys. */
    private static Map<String, Set<String>> generatedSecrets() {
        Path script = RenderedManifests.repositoryRoot().resolve("scripts/k8s-secrets.sh");
        String yaml = RenderedManifests.run(List.of("bash", script.toString()), "scripts/k8s-secrets.sh");
        Map<String, Set<String>> secrets = new HashMap<>();
        for (JsonNode secret : RenderedManifests.parseYaml(yaml)) {
            assertThat(secret.path("kind").asText()).isEqualTo("Secret");
            assertThat(validator.validate(secret)).isEmpty();
            Set<String> keys = new HashSet<>();
            secret.path("data").fieldNames().forEachRemaining(keys::add);
            secrets.put(name(secret), keys);
        }
        return secrets;
    }
}
