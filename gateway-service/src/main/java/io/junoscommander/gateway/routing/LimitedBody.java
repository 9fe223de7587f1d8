package io.junoscommander.gateway.routing;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A request body without Content-Length (chunked) as it streams to the upstream, cut off once it passes its route's limit:
 * what came so far has gone on, nothing more does, and {@code over} runs once (it answers 413 and resets the upstream call).
 */
final class LimitedBody implements ReadStream<Buffer> {

    private final ReadStream<Buffer> source;
    private final long limit;
    private final Runnable over;
    private long seen;
    private boolean cut;

    LimitedBody(ReadStream<Buffer> source, long limit, Runnable over) {
        this.source = source;
        this.limit = limit;
        this.over = over;
    }

    @Override
    public LimitedBody handler(Handler<Buffer> handler) {
        source.handler(handler == null ? null : chunk -> {
            if (cut) {
                return;
            }
            seen += chunk.length();
            if (seen > limit) {
                cut = true;
                over.run();
                return;
            }
            handler.handle(chunk);
        });
        return this;
    }

    @Override
    public LimitedBody exceptionHandler(Handler<Throwable> handler) {
        source.exceptionHandler(handler);
        return this;
    }

    @Override
    public LimitedBody pause() {
        source.pause();
        return this;
    }

    @Override
    public LimitedBody resume() {
        source.resume();
        return this;
    }

    @Override
    public LimitedBody fetch(long amount) {
        source.fetch(amount);
        return this;
    }

    @Override
    public LimitedBody endHandler(Handler<Void> handler) {
        source.endHandler(handler == null ? null : end -> {
            if (!cut) {
                handler.handle(end);
            }
        });
        return this;
    }
}
