package io.junoscommander.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junoscommander.infra.testing.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes every operation of the public API document, as the gateway serves it (its own operations and the routed services'
 * real ones), through the real gateway and the real packaged services: path parameters, query parameters and JSON bodies
 * get hostile values drawn from one seeded random source (NUL and control characters, huge strings, wrong types, deep nesting,
 * unusual unicode, negative and huge numbers, empty values), authenticated as admins. No answer may be a 5xx, and every
 * 4xx is problem+json. Runs for a bounded time (FUZZ_SECONDS, 75 s by default) from a printed seed (FUZZ_SEED replays a
 * run).
 *
 * <p>Left out, because they would end the fuzzing sessions or start real work that outlives the test: logging out, and
 * starting a backup of the whole database ({@code POST /api/v1/backups}).
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class PublicApiFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");
    private static final Set<String> SKIPPED = Set.of("POST /api/v1/auth/logout", "POST /api/v1/backups");
    private static final int CLIENTS = 4;

    /** One operation of the document: method, path template, its parameters and the properties of its JSON body. */
    record Operation(String method, String template, List<JsonNode> parameters, JsonNode bodySchema) {
    }

    /** A request that got a wrong answer. */
    record Finding(String request, int status, String contentType, String body) {
    }

    @Test
    void noOperationAnswersA5xxOrA4xxThatIsNotProblemJson() throws Exception {
        JsonNode document = awaitFullDocument();
        List<Operation> operations = operations(document);
        assertThat(operations.size()).isGreaterThan(40);

        long seed = Long.parseLong(System.getenv().getOrDefault("FUZZ_SEED", Long.toString(System.nanoTime())));
        long seconds = Long.parseLong(System.getenv().getOrDefault("FUZZ_SECONDS", "75"));
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            // an admin of its own per client: its own rate-limit bucket, and no other test's session is touched
            tokens.add(Api.userToken("fuzz-admin-" + i, "admin"));
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger serverErrors = new AtomicInteger();
        AtomicInteger limited = new AtomicInteger();
        List<Finding> findings = Collections.synchronizedList(new ArrayList<>());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        Hostile hostile = new Hostile(new Random(seed), document);
        // the values are drawn on this thread only (a seed replays the run); the requests go out in batches, CLIENTS at a time
        try {
            int next = 0;
            while (System.nanoTime() < deadline) {
                List<Callable<Void>> batch = new ArrayList<>();
                for (int i = 0; i < CLIENTS * 4; i++) {
                    Operation operation = operations.get(next++ % operations.size());
                    HttpRequest request = hostile.request(operation, tokens.get(i % CLIENTS));
                    batch.add(() -> {
                        sent.incrementAndGet();
                        try {
                            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                            int status = response.statusCode();
                            String type = response.headers().firstValue("Content-Type").orElse("");
                            if (status == 429) {
                                limited.incrementAndGet();
                                Thread.sleep(1_000);
                            }
                            if (status >= 500) {
                                serverErrors.incrementAndGet();
                            }
                            if (status >= 500 || (status >= 400 && !type.startsWith("application/problem+json"))) {
                                findings.add(new Finding(describe(request, operation), status, type, abbreviate(response.body(), 300)));
                            }
                        } catch (IOException e) {
                            findings.add(new Finding(describe(request, operation), -1, "", "no answer: " + e));
                        }
                        return null;
                    });
                }
                for (Future<Void> done : clients.invokeAll(batch)) {
                    // a request that broke the client (not a finding: a defect of the test) fails the test with its cause
                    done.get();
                }
            }
        } finally {
            clients.shutdownNow();
        }
        System.out.printf("public API fuzz (seed %d): %d operations, %d requests generated, %d answered 5xx, %d rate-limited, "
                + "%d findings%n", seed, operations.size(), sent.get(), serverErrors.get(), limited.get(), findings.size());
        // one example per operation and status
        Map<String, Finding> distinct = new TreeMap<>();
        synchronized (findings) {
            findings.forEach(f -> distinct.putIfAbsent(f.request().replaceAll(".*\\((.*)\\)$", "$1") + " -> " + f.status(), f));
        }
        distinct.forEach((kind, example) -> System.out.println("  " + kind + ": " + example));
        assertThat(distinct.keySet()).as("seed " + seed + "; examples above").isEmpty();
    }

    private static JsonNode awaitFullDocument() {
        JsonNode[] document = new JsonNode[1];
        Awaiting.until(Duration.ofSeconds(60), () -> {
            document[0] = PublicApiDocumentTest.mergedDocument();
            JsonNode paths = document[0].path("paths");
            return paths.has("/api/v1/tasks/{id}/cancel") && paths.has("/api/v1/backups/{id}/restore");
        });
        return document[0];
    }

    private static List<Operation> operations(JsonNode document) {
        List<Operation> operations = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(entry -> {
            String method = entry.getKey();
            if (!path.getKey().startsWith("/api/") || !METHODS.contains(method)) {
                return;
            }
            String upper = method.toUpperCase(Locale.ROOT);
            if (SKIPPED.contains(upper + " " + path.getKey())) {
                return;
            }
            List<JsonNode> parameters = new ArrayList<>();
            path.getValue().path("parameters").forEach(parameters::add);
            entry.getValue().path("parameters").forEach(parameters::add);
            JsonNode body = entry.getValue().path("requestBody").path("content").path("application/json").path("schema");
            operations.add(new Operation(upper, path.getKey(), parameters, resolve(document, body)));
        }));
        return operations;
    }

    static JsonNode resolve(JsonNode document, JsonNode schema) {
        String ref = schema.path("$ref").asText("");
        if (ref.startsWith("#/components/schemas/")) {
            return document.path("components").path("schemas").path(ref.substring("#/components/schemas/".length()));
        }
        return schema;
    }

    private static String describe(HttpRequest request, Operation operation) {
        return request.method() + " " + request.uri().getRawPath() + (request.uri().getRawQuery() == null ? ""
                : "?" + abbreviate(request.uri().getRawQuery(), 120)) + " (" + operation.method() + " " + operation.template() + ")";
    }

    static String abbreviate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max) + "…(" + text.length() + ")";
    }

    /** Hostile values, all drawn from one seeded source. */
    static final class Hostile {

        private static final List<String> SPECIAL = List.of("", " ", "\u0000", "a\u0000b", "..", "../../etc/passwd", "%00",
                "%2e%2e%2f", "null", "undefined", "true", "-1", "0", "9223372036854775808", "1e309", "NaN", "' OR '1'='1",
                "${jndi:ldap://x/a}", "<script>alert(1)</script>", "\u202e\u0645\u0631\u062d\u0628\u0627", "😀👍🏽", "\ud800",
                "\uffff", "x1", "r1", "00000000-0000-0000-0000-000000000000");
        private static final char[] PATH_CHARS = {'\u0000', 'a', '/', '\\', '.', '%', '{', '}', '?', '#', ';', '\n'};
        private static final List<Object> EDGE_NUMBERS = List.of(Long.MIN_VALUE, Long.MAX_VALUE, -1L, 0L, (long) Integer.MAX_VALUE + 1,
                (long) Integer.MIN_VALUE - 1, 1e308, -1e308, 0.5, -0.0, Double.MIN_VALUE);
        private final Random random;
        private final JsonNode document;

        Hostile(Random random, JsonNode document) {
            this.random = random;
            this.document = document;
        }

        private <T> T oneOf(List<T> values) {
            return values.get(random.nextInt(values.size()));
        }

        /** {@code min..max} characters, each drawn by {@code character}. */
        private String text(int min, int max, java.util.function.IntSupplier character) {
            int length = min + random.nextInt(max - min + 1);
            StringBuilder text = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                text.append((char) character.getAsInt());
            }
            return text.toString();
        }

        /** Any UTF-16 units (lone surrogates too), control characters, path syntax, huge, non-Latin, well-known nasties, UUIDs. */
        String string() {
            return switch (random.nextInt(7)) {
                case 0 -> text(0, 40, () -> random.nextInt(0x10000));
                case 1 -> text(1, 8, () -> random.nextInt(0x20));
                case 2 -> text(0, 20, () -> PATH_CHARS[random.nextInt(PATH_CHARS.length)]);
                case 3 -> text(3000, 20_000, () -> 'a' + random.nextInt(26));
                case 4 -> text(1, 30, () -> 0x100 + random.nextInt(0xfff0 - 0x100));
                case 5 -> oneOf(SPECIAL);
                default -> new java.util.UUID(random.nextLong(), random.nextLong()).toString();
            };
        }

        /** Edge values of long and double, integers beyond long (up to 10^30), small ones. */
        Object number() {
            return switch (random.nextInt(3)) {
                case 0 -> oneOf(EDGE_NUMBERS);
                case 1 -> random.nextBoolean() ? new java.math.BigInteger(99, random) : new java.math.BigInteger(99, random).negate();
                default -> random.nextInt(100_101) - 100;
            };
        }

        HttpRequest request(Operation operation, String token) {
            String path = operation.template();
            StringBuilder query = new StringBuilder();
            for (JsonNode parameter : operation.parameters()) {
                String name = parameter.path("name").asText();
                String in = parameter.path("in").asText();
                if (in.equals("path")) {
                    path = path.replace("{" + name + "}", encode(random.nextInt(5) == 0 ? "x1" : string()));
                } else if (in.equals("query") && random.nextBoolean()) {
                    query.append(query.isEmpty() ? "" : "&").append(encode(name)).append('=').append(encode(scalar()));
                }
            }
            path = path.replaceAll("\\{[^}]+}", "x1");
            if (random.nextInt(8) == 0) {
                query.append(query.isEmpty() ? "" : "&").append(encode(string())).append('=').append(encode(string()));
            }
            URI uri = URI.create("http://127.0.0.1:" + RestAssured.port + path + (query.isEmpty() ? "" : "?" + query));
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(40))
                    .header("Authorization", "Bearer " + token).header("X-Forwarded-For", "198.51.100.77");
            if (operation.method().equals("GET") || operation.method().equals("DELETE")) {
                return builder.method(operation.method(), HttpRequest.BodyPublishers.noBody()).build();
            }
            String contentType = random.nextInt(10) == 0 ? oneOf(List.of("text/plain", "application/xml",
                    "application/json; charset=latin1", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"))
                    : "application/json";
            return builder.header("Content-Type", contentType)
                    .method(operation.method(), HttpRequest.BodyPublishers.ofString(body(operation))).build();
        }

        private String scalar() {
            return random.nextBoolean() ? string() : String.valueOf(number());
        }

        /** A body shaped like the operation's schema with hostile members, or something else entirely. */
        String body(Operation operation) {
            int shape = random.nextInt(10);
            try {
                return switch (shape) {
                    case 0 -> "";
                    case 1 -> "[".repeat(random.nextInt(20_000)) + "1" + "]".repeat(random.nextInt(20_000));
                    case 2 -> "{\"a\":".repeat(2_000 + random.nextInt(8_000)) + "1" + "}".repeat(random.nextInt(10_000));
                    case 3 -> oneOf(List.of("{", "null", "1", "\"text\"", "[]", "\u0000", "{\"a\":1,}", "{\"a\" 1}", "{'a':1}",
                            "\ufeff{}", "{\"a\":1}{\"b\":2}"));
                    case 4 -> JSON.writeValueAsString(hostileValue(3));
                    default -> JSON.writeValueAsString(shaped(operation.bodySchema(), 0));
                };
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private Object shaped(JsonNode schema, int depth) {
            JsonNode resolved = resolve(document, schema);
            JsonNode properties = resolved.path("properties");
            if (!properties.isObject() || depth > 3) {
                return hostileValue(2);
            }
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            properties.fields().forEachRemaining(property -> {
                if (random.nextInt(6) == 0) {
                    return;
                }
                JsonNode propertySchema = resolve(document, property.getValue());
                Object value = switch (random.nextInt(4)) {
                    case 0 -> plausible(propertySchema);
                    case 1 -> propertySchema.has("properties") ? shaped(propertySchema, depth + 1) : hostileValue(1);
                    default -> hostileValue(2);
                };
                object.set(property.getKey(), JSON.valueToTree(value));
            });
            if (random.nextInt(5) == 0) {
                object.set(string(), JSON.valueToTree(hostileValue(1)));
            }
            return object;
        }

        private Object plausible(JsonNode schema) {
            String type = schema.path("type").isArray() ? schema.path("type").path(0).asText() : schema.path("type").asText();
            if (schema.has("enum") && schema.path("enum").size() > 0) {
                return JSON.convertValue(schema.path("enum").get(random.nextInt(schema.path("enum").size())), Object.class);
            }
            return switch (type) {
                case "integer", "number" -> number();
                case "boolean" -> random.nextBoolean();
                case "array" -> List.of(string());
                case "object" -> Map.of(string(), string());
                default -> string();
            };
        }

        /** Any JSON value: hostile strings and numbers, wrong types, nested arrays and objects. */
        private Object hostileValue(int depth) {
            int kind = random.nextInt(depth > 0 ? 8 : 5);
            return switch (kind) {
                case 0 -> string();
                case 1 -> number();
                case 2 -> random.nextBoolean();
                case 3 -> null;
                case 4 -> string();
                case 5 -> {
                    List<Object> list = new ArrayList<>();
                    for (int i = random.nextInt(4); i > 0; i--) {
                        list.add(hostileValue(depth - 1));
                    }
                    yield list;
                }
                default -> {
                    Map<String, Object> map = new LinkedHashMap<>();
                    for (int i = random.nextInt(4); i > 0; i--) {
                        map.put(string(), hostileValue(depth - 1));
                    }
                    yield map;
                }
            };
        }

        private static String encode(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
        }
    }
}
