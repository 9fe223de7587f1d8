package io.junoscommander.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only upstream endpoints in the gateway process itself, reached through the test route {@code /api/v1/test-stream}
 * (so through the real proxy, like any upstream): header echo, SSE that waits for a release, a streamed upload that reports
 * progress while it is still arriving, a large streamed download, a slow answer and a flaky one.
 */
@ApplicationScoped
public class StreamProbeRoutes {

    static final Map<String, Runnable> RELEASES = new ConcurrentHashMap<>();
    static final Map<String, AtomicLong> RECEIVED = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    /** Downloads of {@code /big} whose connection closed before the end. */
    static final AtomicInteger ABANDONED = new AtomicInteger();

    void install(@Observes Router router) {
        router.get("/test/stream/headers").order(500).handler(this::headers);
        router.get("/test/stream/sse/:key").order(500).handler(this::sse);
        router.post("/test/stream/release/:key").order(500).handler(context -> {
            Runnable release = RELEASES.remove(context.pathParam("key"));
            if (release != null) {
                release.run();
            }
            context.response().setStatusCode(release == null ? 404 : 204).end();
        });
        router.post("/test/stream/upload/:key").order(500).handler(this::upload);
        router.get("/test/stream/received/:key").order(500).handler(context -> context.response().end(
                Long.toString(RECEIVED.computeIfAbsent(context.pathParam("key"), k -> new AtomicLong()).get())));
        router.get("/test/stream/big").order(500).handler(this::big);
        router.get("/test/stream/slow").order(500).handler(context -> context.vertx().setTimer(10_000, t -> {
            if (!context.response().closed()) {
                context.response().end("late");
            }
        }));
        router.route("/test/stream/flaky/:key").order(500).handler(context -> {
            int call = CALLS.computeIfAbsent(context.pathParam("key"), k -> new AtomicInteger()).incrementAndGet();
            context.response().setStatusCode(call == 1 ? 503 : 200).end("call " + call);
        });
    }

    private void headers(RoutingContext context) {
        JsonObject headers = new JsonObject();
        context.request().headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
        context.response().putHeader("Content-Type", "application/json").end(headers.encode());
    }

    private void sse(RoutingContext context) {
        var response = context.response().setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control",
                "no-cache");
        response.write("data: first\n\n");
        io.vertx.core.Context vertxContext = io.vertx.core.Vertx.currentContext();
        RELEASES.put(context.pathParam("key"), () -> vertxContext.runOnContext(v -> response.end("data: second\n\n")));
    }

    private void upload(RoutingContext context) {
        AtomicLong received = RECEIVED.computeIfAbsent(context.pathParam("key"), k -> new AtomicLong());
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        context.request().handler(chunk -> {
            digest.update(chunk.getBytes());
            received.addAndGet(chunk.length());
        });
        context.request().endHandler(v -> context.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                .put("bytes", received.get()).put("sha256", HexFormat.of().formatHex(digest.digest())).encode()));
        context.request().resume();
    }

    /** {@code mb} MiB of a repeating pattern, written as the connection drains. */
    private void big(RoutingContext context) {
        long total = Long.parseLong(context.queryParam("mb").get(0)) * 1024 * 1024;
        byte[] block = new byte[64 * 1024];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i % 251);
        }
        Buffer chunk = Buffer.buffer(block);
        var response = context.response().setChunked(true).putHeader("Content-Type", "application/octet-stream");
        AtomicLong sent = new AtomicLong();
        // the gateway resets this call when its client leaves: a reset is how the download is meant to end then
        response.exceptionHandler(failure -> { });
        response.closeHandler(closed -> {
            if (sent.get() < total) {
                ABANDONED.incrementAndGet();
            }
        });
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (sent.get() < total && !response.writeQueueFull() && !response.closed()) {
                response.write(chunk);
                sent.addAndGet(chunk.length());
            }
            if (sent.get() >= total) {
                response.end();
            } else {
                response.drainHandler(v -> pump[0].run());
            }
        };
        pump[0].run();
    }
}
