package io.junoscommander.device.ssh;

/** A classified failure of a device operation; the message is safe to show (no secrets, no stack). */
public class SshFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;

    public SshFailure(ErrorKind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }
}
