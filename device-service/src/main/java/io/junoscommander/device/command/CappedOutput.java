package io.junoscommander.device.command;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Keeps at most {@code limit} bytes of a command's output and remembers whether more came; calls back once when cut. */
final class CappedOutput extends OutputStream {

    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final int limit;
    private final Runnable onOverflow;
    private volatile boolean truncated;

    CappedOutput(int limit, Runnable onOverflow) {
        this.limit = limit;
        this.onOverflow = onOverflow;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        int room = limit - kept.size();
        if (length <= room) {
            kept.write(bytes, offset, length);
            return;
        }
        if (room > 0) {
            kept.write(bytes, offset, room);
        }
        if (!truncated) {
            truncated = true;
            onOverflow.run();
        }
    }

    boolean truncated() {
        return truncated;
    }

    synchronized String text() {
        return kept.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
    }
}
