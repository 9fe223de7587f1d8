package io.junoscommander.task;

import io.junoscommander.infra.testing.InternalTokens;
import io.restassured.path.json.JsonPath;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A task's event stream read the way an EventSource reads it (event, id, data), on a thread of its own, as a viewer. */
final class SseStream implements AutoCloseable {

    /** One event: its name, id (null when it has none) and JSON data. */
    record Event(String name, String id, JsonPath data) {

        long seq() {
            return Long.parseLong(id);
        }
    }

    final int status;
    final List<Event> events = new CopyOnWriteArrayList<>();
    private final InputStream body;
    private final CountDownLatch ended = new CountDownLatch(1);

    private SseStream(int status, InputStream body) {
        this.status = status;
        this.body = body;
        Thread reader = new Thread(this::read, "sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens {@code /api/v1/tasks/{id}/events} on {@code baseUrl}, with {@code Last-Event-ID} when it is not null. */
    static SseStream open(String baseUrl, String taskId, String lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/tasks/" + taskId + "/events"))
                .header("Authorization", InternalTokens.bearer("it-viewer", "viewer")).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        return new SseStream(response.statusCode(), response.body());
    }

    private void read() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = "message";
            String id = null;
            StringBuilder data = new StringBuilder();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(name, id, new JsonPath(data.toString())));
                    }
                    name = "message";
                    id = null;
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
        } catch (IOException closed) {
            // closed by close()
        } finally {
            ended.countDown();
        }
    }

    /** Whether the server ended the stream within {@code timeout}. */
    boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until an event matches; false after {@code timeout}. */
    boolean awaitEvent(Predicate<List<Event>> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.test(events)) {
                return true;
            }
            if (ended.getCount() == 0) {
                return condition.test(events);
            }
            Thread.sleep(50);
        }
        return false;
    }

    List<Event> named(String name) {
        return events.stream().filter(event -> name.equals(event.name())).toList();
    }

    Event last() {
        return events.get(events.size() - 1);
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
