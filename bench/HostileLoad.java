import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hostile clients against the gateway while plain clients read: HOSTILE threads send, in turn, a 10 MB JSON body with its
 * Content-Length, a 10 MB chunked body, and a deeply nested JSON body, all to POST /api/v1/devices; READERS threads send
 * GET /api/v1/devices?size=10 the whole time. Prints the statuses per kind and the readers' p50/p99/max latency.
 *
 *   java bench/HostileLoad.java PORT SESSION_TOKEN HOSTILE READERS SECONDS
 */
public class HostileLoad {

    static final Map<String, Map<String, AtomicLong>> STATUSES = new ConcurrentHashMap<>();
    static final List<Long> READ_MILLIS = Collections.synchronizedList(new ArrayList<>());

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String token = args[1];
        int hostile = Integer.parseInt(args[2]);
        int readers = Integer.parseInt(args[3]);
        long seconds = Long.parseLong(args[4]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        byte[] big = ("{\"name\":\"" + "a".repeat(10 * 1024 * 1024 - 20) + "\"}").getBytes(StandardCharsets.US_ASCII);
        byte[] nested = ("[".repeat(500_000) + "]".repeat(500_000)).getBytes(StandardCharsets.US_ASCII);
        ExecutorService pool = Executors.newFixedThreadPool(hostile + readers);
        for (int i = 0; i < hostile; i++) {
            int client = i;
            pool.submit(() -> {
                for (int n = client; System.nanoTime() < deadline; n++) {
                    switch (n % 3) {
                        case 0 -> raw(port, token, "10MB with Content-Length", big, false);
                        case 1 -> raw(port, token, "10MB chunked", big, true);
                        default -> raw(port, token, "1MB nested 500000 deep", nested, false);
                    }
                }
                return null;
            });
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < readers; i++) {
            pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    long start = System.nanoTime();
                    String status;
                    try {
                        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/api/v1/devices?size=10")).header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60))
                                .GET().build(), HttpResponse.BodyHandlers.discarding());
                        status = Integer.toString(response.statusCode());
                    } catch (IOException e) {
                        status = "error " + e.getClass().getSimpleName();
                    }
                    READ_MILLIS.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    count("GET /api/v1/devices", status);
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 180, TimeUnit.SECONDS);
        STATUSES.forEach((kind, statuses) -> System.out.println(kind + ": " + new TreeMap<>(statuses)));
        List<Long> sorted = new ArrayList<>(READ_MILLIS);
        Collections.sort(sorted);
        if (!sorted.isEmpty()) {
            System.out.printf("GET latency ms: p50 %d, p99 %d, max %d (%d requests)%n", sorted.get(sorted.size() / 2),
                    sorted.get((int) (sorted.size() * 0.99)), sorted.get(sorted.size() - 1), sorted.size());
        }
    }

    static void count(String kind, String status) {
        STATUSES.computeIfAbsent(kind, k -> new ConcurrentHashMap<>()).computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    }

    /** Sends the whole body (as far as the server reads it) and records the status, or how the exchange broke. */
    static void raw(int port, String token, String kind, byte[] body, boolean chunked) {
        String status;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            String head = "POST /api/v1/devices HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n") + "\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            try {
                for (int offset = 0; offset < body.length; offset += 64 * 1024) {
                    int length = Math.min(64 * 1024, body.length - offset);
                    if (chunked) {
                        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write(body, offset, length);
                    if (chunked) {
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                }
                if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            } catch (IOException e) {
                // the server answered (and closed) before the body was sent: read its answer below
            }
            status = statusLine(socket.getInputStream());
        } catch (IOException e) {
            status = "error " + e.getClass().getSimpleName();
        }
        count("POST " + kind, status);
    }

    static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        String[] parts = line.toString(StandardCharsets.US_ASCII).split(" ");
        return parts.length > 1 ? parts[1] : "no answer";
    }
}
