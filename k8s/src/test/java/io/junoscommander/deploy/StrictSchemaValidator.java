package io.junoscommander.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Validates Kubernetes objects against the Kubernetes OpenAPI v3 documents of one release and against CustomResource
 * schemas, strictly: like kubeconform's strict mode, an object schema with properties accepts no other field (the API
 * server drops unknown fields silently, so a misspelt {@code readinessProbe} would otherwise pass), types and integer
 * formats must match, required fields must be present and enums respected.
 */
final class StrictSchemaValidator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REF_PREFIX = "#/components/schemas/";

    /** Named schemas of the OpenAPI documents, by their component name. */
    private final Map<String, JsonNode> components = new HashMap<>();
    /** The root schema of each kind, by "apiVersion/kind" (apps/v1/Deployment, v1/Service, postgresql.cnpg.io/v1/Cluster). */
    private final Map<String, JsonNode> kinds = new HashMap<>();

    static StrictSchemaValidator fromResources(List<String> openApiDocuments, List<String> customResourceSchemas) {
        StrictSchemaValidator validator = new StrictSchemaValidator();
        for (String resource : openApiDocuments) {
            validator.addOpenApi(read(resource));
        }
        for (String resource : customResourceSchemas) {
            JsonNode crd = read(resource);
            validator.kinds.put(crd.path("group").asText() + "/" + crd.path("version").asText() + "/" + crd.path("kind").asText(),
                    crd.path("openAPIV3Schema"));
        }
        return validator;
    }

    private static JsonNode read(String resource) {
        try (InputStream in = StrictSchemaValidator.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing: " + resource);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void addOpenApi(JsonNode document) {
        Iterator<Map.Entry<String, JsonNode>> schemas = document.path("components").path("schemas").fields();
        while (schemas.hasNext()) {
            Map.Entry<String, JsonNode> schema = schemas.next();
            components.putIfAbsent(schema.getKey(), schema.getValue());
            for (JsonNode gvk : schema.getValue().path("x-kubernetes-group-version-kind")) {
                String group = gvk.path("group").asText();
                String apiVersion = group.isEmpty() ? gvk.path("version").asText() : group + "/" + gvk.path("version").asText();
                kinds.put(apiVersion + "/" + gvk.path("kind").asText(), schema.getValue());
            }
        }
    }

    /** The problems of one object, each as "path: what"; empty when it is valid. */
    List<String> validate(JsonNode object) {
        List<String> errors = new ArrayList<>();
        String key = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
        JsonNode schema = kinds.get(key);
        if (schema == null) {
            errors.add("$: no schema for " + key);
            return errors;
        }
        check(object, schema, "$", errors);
        return errors;
    }

    private void check(JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (schema.has("$ref")) {
            check(value, resolve(schema.path("$ref").asText()), path, errors);
            return;
        }
        if (value == null || value.isNull()) {
            // Kubernetes treats an explicit null as "not set"; required fields are checked by the parent
            return;
        }
        for (JsonNode part : schema.path("allOf")) {
            check(value, part, path, errors);
        }
        for (String alternatives : List.of("oneOf", "anyOf")) {
            if (schema.has(alternatives) && !matchesAny(value, schema.path(alternatives), path)) {
                errors.add(path + ": matches none of " + alternatives + " " + schema.path(alternatives));
            }
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!(value.isIntegralNumber() || value.isTextual())) {
                errors.add(path + ": expected an integer or a string, got " + value.getNodeType());
            }
            return;
        }
        String type = schema.path("type").asText("");
        if (!type.isEmpty() && !hasType(value, type, schema.path("format").asText(""))) {
            errors.add(path + ": expected " + type + formatSuffix(schema) + ", got " + describe(value));
            return;
        }
        if (schema.has("enum") && !contains(schema.path("enum"), value)) {
            errors.add(path + ": " + value + " is not one of " + schema.path("enum"));
        }
        if (value.isNumber()) {
            if (schema.has("minimum") && value.asDouble() < schema.path("minimum").asDouble()) {
                errors.add(path + ": " + value + " is below the minimum " + schema.path("minimum"));
            }
            if (schema.has("maximum") && value.asDouble() > schema.path("maximum").asDouble()) {
                errors.add(path + ": " + value + " is above the maximum " + schema.path("maximum"));
            }
        }
        if (value.isArray()) {
            JsonNode items = schema.path("items");
            for (int i = 0; i < value.size(); i++) {
                if (!items.isMissingNode()) {
                    check(value.get(i), items, path + "[" + i + "]", errors);
                }
            }
        }
        if (value.isObject()) {
            checkObject(value, schema, path, errors);
        }
    }

    private void checkObject(JsonNode value, JsonNode schema, String path, List<String> errors) {
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.path("additionalProperties");
        boolean preserveUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String fieldPath = path + "." + field.getKey();
            if (properties.has(field.getKey())) {
                check(field.getValue(), properties.path(field.getKey()), fieldPath, errors);
            } else if (additional.isObject()) {
                check(field.getValue(), additional, fieldPath, errors);
            } else if (properties.isObject() && !preserveUnknown && !additional.asBoolean(false)) {
                // strict: the OpenAPI documents leave additionalProperties unset, the API server would drop the field
                errors.add(fieldPath + ": unknown field");
            }
        }
        for (JsonNode required : schema.path("required")) {
            JsonNode present = value.get(required.asText());
            if (present == null || present.isNull()) {
                errors.add(path + "." + required.asText() + ": required field missing");
            }
        }
    }

    private boolean matchesAny(JsonNode value, JsonNode alternatives, String path) {
        for (JsonNode alternative : alternatives) {
            List<String> attempt = new ArrayList<>();
            check(value, alternative, path, attempt);
            if (attempt.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private JsonNode resolve(String ref) {
        if (!ref.startsWith(REF_PREFIX) || !components.containsKey(ref.substring(REF_PREFIX.length()))) {
            throw new IllegalStateException("unresolvable schema reference " + ref);
        }
        return components.get(ref.substring(REF_PREFIX.length()));
    }

    private static boolean hasType(JsonNode value, String type, String format) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "boolean" -> value.isBoolean();
            case "number" -> value.isNumber();
            case "integer" -> value.isIntegralNumber() && ("int32".equals(format) ? value.canConvertToInt() : value.canConvertToLong());
            default -> throw new IllegalStateException("schema type not handled: " + type);
        };
    }

    private static boolean contains(JsonNode allowed, JsonNode value) {
        for (JsonNode candidate : allowed) {
            if (candidate.equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static String formatSuffix(JsonNode schema) {
        return schema.has("format") ? " (" + schema.path("format").asText() + ")" : "";
    }

    private static String describe(JsonNode value) {
        return value.getNodeType().name().toLowerCase() + " " + value;
    }
}
