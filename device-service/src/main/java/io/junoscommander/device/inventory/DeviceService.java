package io.junoscommander.device.inventory;

import io.junoscommander.support.persistence.Rows;
import io.junoscommander.support.problem.Problem;
import io.junoscommander.support.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Inventory changes: single devices and all-or-nothing bulk imports (JSON or CSV) that report every bad row. */
@ApplicationScoped
public class DeviceService {

    public static final int MAX_IMPORT = 5000;
    static final List<String> CSV_COLUMNS =
            List.of("name", "host", "port", "platform", "site", "tags", "credential", "enabled", "attributes");

    private final DeviceRepository repository;
    private final Validator validator;
    private final Pool pool;

    DeviceService(DeviceRepository repository, Validator validator, Pool pool) {
        this.repository = repository;
        this.validator = validator;
        this.pool = pool;
    }

    /** The outcome of an import. */
    public record ImportResult(int imported, boolean updatedExisting) {
    }

    public Uni<Device> create(DeviceRequest request) {
        return pool.withTransaction(client -> repository.credentialIds(client).flatMap(credentials -> {
            Device device = toDevice(UUID.randomUUID(), request, credentials, 0, new ArrayList<>());
            return repository.insert(client, device);
        })).onFailure(Rows::isUniqueViolation)
                .transform(e -> ProblemException.conflict("a device named '" + request.name() + "' already exists"));
    }

    public Uni<Device> replace(UUID id, DeviceRequest request) {
        return pool.withConnection(client -> repository.credentialIds(client)).flatMap(credentials -> {
            Device device = toDevice(id, request, credentials, 0, new ArrayList<>());
            return repository.update(device);
        }).onFailure(Rows::isUniqueViolation)
                .transform(e -> ProblemException.conflict("a device named '" + request.name() + "' already exists"))
                .map(updated -> updated.orElseThrow(() -> ProblemException.notFound("device " + id)));
    }

    public Uni<Void> delete(UUID id) {
        return repository.delete(id).map(deleted -> {
            if (!deleted) {
                throw ProblemException.notFound("device " + id);
            }
            return null;
        });
    }

    /**
     * Validates every row first and reports all problems with their line (CSV) or element (JSON, 1-based); only a clean
     * import is written, in one transaction. Names that exist already are errors unless {@code updateExisting}.
     */
    public Uni<ImportResult> importDevices(List<DeviceRequest> requests, List<Integer> lines, boolean updateExisting) {
        if (requests.isEmpty()) {
            throw ProblemException.badRequest("devices", "the import holds no device");
        }
        if (requests.size() > MAX_IMPORT) {
            throw ProblemException.badRequest("devices", "at most " + MAX_IMPORT + " devices per import");
        }
        return pool.withTransaction(client -> repository.credentialIds(client).flatMap(credentials -> {
            List<Problem.FieldError> errors = new ArrayList<>();
            List<Device> devices = new ArrayList<>();
            Map<String, Integer> firstLineOfName = new HashMap<>();
            for (int i = 0; i < requests.size(); i++) {
                DeviceRequest request = requests.get(i);
                int line = lines.get(i);
                if (request == null) {
                    errors.add(new Problem.FieldError("device", "must be an object", line));
                    continue;
                }
                Device device = toDevice(UUID.randomUUID(), request, credentials, line, errors);
                if (device == null) {
                    continue;
                }
                Integer earlier = firstLineOfName.putIfAbsent(device.name(), line);
                if (earlier != null) {
                    errors.add(new Problem.FieldError("name", "'" + device.name() + "' appears already on line " + earlier, line));
                    continue;
                }
                devices.add(device);
            }
            return existingNameErrors(client, devices, firstLineOfName, updateExisting).flatMap(existing -> {
                errors.addAll(existing);
                if (!errors.isEmpty()) {
                    errors.sort(Comparator.comparing(Problem.FieldError::line).thenComparing(Problem.FieldError::field));
                    throw ProblemException.invalid(errors.size() + " problem(s) in the import; nothing was imported", errors);
                }
                return repository.insertBatch(client, devices, updateExisting).map(count -> new ImportResult(count, updateExisting));
            });
        })).onFailure(Rows::isUniqueViolation)
                .transform(e -> ProblemException.conflict("a device of the import was created concurrently; nothing was imported"));
    }

    private Uni<List<Problem.FieldError>> existingNameErrors(SqlClient client, List<Device> devices, Map<String, Integer> lines,
            boolean updateExisting) {
        if (updateExisting || devices.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return repository.existingNames(client, devices.stream().map(Device::name).toList()).map(names -> names.stream()
                .map(name -> new Problem.FieldError("name", "a device named '" + name + "' already exists", lines.get(name))).toList());
    }

    /** Parses CSV with a header row naming columns among {@link #CSV_COLUMNS}; tags are separated by ';' or '|'. */
    public Uni<ImportResult> importCsv(String csv, boolean updateExisting) {
        List<CsvReader.Record> records = CsvReader.parse(csv == null ? "" : csv);
        if (records.isEmpty()) {
            throw ProblemException.badRequest("csv", "empty; the first line names the columns: " + String.join(",", CSV_COLUMNS));
        }
        List<String> header = records.get(0).fields().stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
        List<Problem.FieldError> headerErrors = new ArrayList<>();
        for (String column : header) {
            if (!CSV_COLUMNS.contains(column)) {
                headerErrors.add(new Problem.FieldError(column, "unknown column; known: " + String.join(",", CSV_COLUMNS), 1));
            }
        }
        for (String required : List.of("name", "host", "platform")) {
            if (!header.contains(required)) {
                headerErrors.add(new Problem.FieldError(required, "required column missing", 1));
            }
        }
        if (!headerErrors.isEmpty()) {
            throw ProblemException.invalid("the CSV header is not usable; nothing was imported", headerErrors);
        }
        List<DeviceRequest> requests = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<Problem.FieldError> parseErrors = new ArrayList<>();
        for (CsvReader.Record record : records.subList(1, records.size())) {
            if (record.fields().size() != header.size()) {
                parseErrors.add(new Problem.FieldError("row", "has " + record.fields().size() + " fields, the header has " + header.size(),
                        record.line()));
                continue;
            }
            Map<String, String> cells = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                String value = record.fields().get(i).strip();
                cells.put(header.get(i), value.isEmpty() ? null : value);
            }
            DeviceRequest request = fromCsv(cells, record.line(), parseErrors);
            if (request != null) {
                requests.add(request);
                lines.add(record.line());
            }
        }
        if (!parseErrors.isEmpty()) {
            throw ProblemException.invalid(parseErrors.size() + " problem(s) in the import; nothing was imported", parseErrors);
        }
        return importDevices(requests, lines, updateExisting);
    }

    private static DeviceRequest fromCsv(Map<String, String> cells, int line, List<Problem.FieldError> errors) {
        Integer port = null;
        if (cells.get("port") != null) {
            try {
                port = Integer.parseInt(cells.get("port"));
            } catch (NumberFormatException e) {
                errors.add(new Problem.FieldError("port", "must be a number", line));
                return null;
            }
        }
        Boolean enabled = null;
        if (cells.get("enabled") != null) {
            String value = cells.get("enabled").toLowerCase(Locale.ROOT);
            if (!Set.of("true", "false", "yes", "no", "1", "0").contains(value)) {
                errors.add(new Problem.FieldError("enabled", "must be true or false", line));
                return null;
            }
            enabled = Set.of("true", "yes", "1").contains(value);
        }
        Map<String, Object> attributes = null;
        if (cells.get("attributes") != null) {
            try {
                attributes = new JsonObject(cells.get("attributes")).getMap();
            } catch (RuntimeException e) {
                errors.add(new Problem.FieldError("attributes", "must be a JSON object", line));
                return null;
            }
        }
        List<String> tags = cells.get("tags") == null ? null
                : Arrays.stream(cells.get("tags").split("[;|]")).map(String::strip).filter(t -> !t.isEmpty()).toList();
        UUID credentialId = null;
        String credentialName = cells.get("credential");
        if (credentialName != null) {
            try {
                credentialId = UUID.fromString(credentialName);
                credentialName = null;
            } catch (IllegalArgumentException notAnId) {
                // a name, resolved with the others
            }
        }
        return new DeviceRequest(cells.get("name"), cells.get("host"), port, cells.get("platform"), cells.get("site"), tags, attributes,
                credentialId, credentialName, enabled);
    }

    /**
     * Validates and resolves the credential reference. For single requests a problem is thrown at once; for imports
     * (line > 0) problems are collected and null returned.
     */
    private Device toDevice(UUID id, DeviceRequest request, Map<String, UUID> credentials, int line, List<Problem.FieldError> errors) {
        List<Problem.FieldError> found = new ArrayList<>();
        for (ConstraintViolation<DeviceRequest> violation : validator.validate(request)) {
            found.add(new Problem.FieldError(violation.getPropertyPath().toString().replaceAll("\\[\\d*]\\.<list element>", "")
                    .replace(".<list element>", ""), violation.getMessage(), line > 0 ? line : null));
        }
        UUID credentialId = request.credentialId();
        if (request.credentialName() != null) {
            credentialId = credentials.get(request.credentialName());
            if (credentialId == null) {
                found.add(new Problem.FieldError("credentialName", "no credential named '" + request.credentialName() + "'",
                        line > 0 ? line : null));
            }
        } else if (credentialId != null && !new HashSet<>(credentials.values()).contains(credentialId)) {
            found.add(new Problem.FieldError("credentialId", "no credential with id " + credentialId, line > 0 ? line : null));
        }
        if (!found.isEmpty()) {
            if (line == 0) {
                found.sort(Comparator.comparing(Problem.FieldError::field));
                throw ProblemException.invalid(found.stream().map(e -> e.field() + ": " + e.message())
                        .reduce((a, b) -> a + "; " + b).orElse(""), found);
            }
            errors.addAll(found);
            return null;
        }
        return new Device(id, request.name(), request.host(), request.portOrDefault(), request.platform(), request.site(),
                request.tagsOrEmpty(), request.attributesOrEmpty(), credentialId, request.enabledOrDefault(), null, null);
    }
}
