package io.junoscommander.lab.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.junoscommander.lab.DeviceLab;
import io.junoscommander.lab.Json;
import io.junoscommander.lab.LabDevice;
import io.junoscommander.lab.LabStats;
import io.junoscommander.lab.fault.Fault;
import io.junoscommander.lab.fault.FaultKind;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP port to steer a running lab from scripts and other processes.
 *
 * <ul>
 * <li>{@code GET /devices}: the devices with their faults</li>
 * <li>{@code GET /devices/{name}/config}: the active configuration as {@code set} lines (text)</li>
 * <li>{@code POST /devices/{name}/fault?kind=latency&value=500}: turn a fault on ({@code kind=none} clears all)</li>
 * <li>{@code DELETE /devices/{name}/fault[?kind=...]}: clear one fault kind, or all</li>
 * <li>{@code GET /stats}: open and maximum concurrent sessions, total and per device</li>
 * <li>{@code POST /stats/reset}: start a new measurement</li>
 * </ul>
 */
public final class AdminHttpServer implements AutoCloseable {

    private final DeviceLab lab;
    private final HttpServer server;
    private final ExecutorService executor;

    public AdminHttpServer(DeviceLab lab, String host, int port) throws IOException {
        this.lab = lab;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "lab-admin-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            route(exchange);
        } catch (NoSuchElementException e) {
            send(exchange, 404, Json.write(Map.of("error", e.getMessage())));
        } catch (IllegalArgumentException e) {
            send(exchange, 400, Json.write(Map.of("error", String.valueOf(e.getMessage()))));
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String[] path = exchange.getRequestURI().getPath().replaceAll("^/+|/+$", "").split("/");
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        if (path.length == 1 && path[0].equals("stats") && method.equals("GET")) {
            send(exchange, 200, Json.write(stats(lab.stats())));
        } else if (path.length == 2 && path[0].equals("stats") && path[1].equals("reset") && method.equals("POST")) {
            lab.resetStats();
            send(exchange, 200, Json.write(stats(lab.stats())));
        } else if (path.length == 1 && path[0].equals("devices") && method.equals("GET")) {
            List<Object> devices = new ArrayList<>();
            lab.devices().forEach(device -> devices.add(describe(device)));
            send(exchange, 200, Json.write(devices));
        } else if (path.length == 3 && path[0].equals("devices") && path[2].equals("config") && method.equals("GET")) {
            LabDevice device = lab.device(path[1]);
            sendText(exchange, String.join("\n", device.activeConfiguration()) + "\n");
        } else if (path.length == 3 && path[0].equals("devices") && path[2].equals("fault")) {
            LabDevice device = lab.device(path[1]);
            changeFault(exchange, method, device, query);
        } else {
            send(exchange, 404, Json.write(Map.of("error", "no such endpoint: " + method + " " + exchange.getRequestURI().getPath())));
        }
    }

    private void changeFault(HttpExchange exchange, String method, LabDevice device, Map<String, String> query) throws IOException {
        String kind = query.get("kind");
        if (method.equals("POST")) {
            if (kind == null) {
                throw new IllegalArgumentException("kind is required: one of none, wrong-password, latency, hang, disconnect, huge-output");
            }
            if (kind.equals("none")) {
                device.clearFaults();
            } else {
                long value = query.containsKey("value") ? Long.parseLong(query.get("value")) : defaultAmount(FaultKind.parse(kind));
                device.setFault(new Fault(FaultKind.parse(kind), value));
            }
        } else if (method.equals("DELETE")) {
            if (kind == null || kind.equals("none")) {
                device.clearFaults();
            } else {
                device.clearFault(FaultKind.parse(kind));
            }
        } else {
            send(exchange, 405, Json.write(Map.of("error", "use POST or DELETE")));
            return;
        }
        send(exchange, 200, Json.write(describe(device)));
    }

    private static long defaultAmount(FaultKind kind) {
        switch (kind) {
            case LATENCY:
                return 1000;
            case HUGE_OUTPUT:
                return 10;
            default:
                return 0;
        }
    }

    private static Map<String, Object> describe(LabDevice device) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", device.name());
        entry.put("host", device.host());
        entry.put("port", device.port());
        entry.put("platform", device.platform().id());
        entry.put("hostname", device.hostname());
        entry.put("hostKeyFingerprint", device.hostKeyFingerprint());
        entry.put("faults", device.faults().stream().map(Fault::toString).toList());
        return entry;
    }

    private static Map<String, Object> stats(LabStats stats) {
        Map<String, Object> perDevice = new LinkedHashMap<>();
        stats.devices().forEach((name, counts) -> perDevice.put(name,
                Map.of("open", counts.open(), "maxConcurrent", counts.maxConcurrent(), "total", counts.total())));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("openSessions", stats.openSessions());
        body.put("maxConcurrentSessions", stats.maxConcurrentSessions());
        body.put("totalSessions", stats.totalSessions());
        body.put("devices", perDevice);
        return body;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            values.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return values;
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        respond(exchange, status, "application/json", json + "\n");
    }

    private static void sendText(HttpExchange exchange, String text) throws IOException {
        respond(exchange, 200, "text/plain; charset=utf-8", text);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
