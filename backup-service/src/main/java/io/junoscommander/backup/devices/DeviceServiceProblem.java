package io.junoscommander.backup.devices;

/**
 * A problem answer of the device service. {@link #kind()} is the problem type without its URN prefix, e.g.
 * {@code device-unreachable}, {@code device-auth_failed}, {@code device-timeout}, {@code unsupported-platform}, {@code not-found}.
 */
public final class DeviceServiceProblem extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private static final String TYPE_PREFIX = "urn:junoscommander:problem:";

    private final int status;
    private final String kind;

    DeviceServiceProblem(int status, String type, String detail) {
        super("device service answered " + status + (detail == null ? "" : ": " + detail), null, false, false);
        this.status = status;
        this.kind = type == null ? "http-" + status : type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : type;
    }

    public int status() {
        return status;
    }

    public String kind() {
        return kind;
    }

    /** A failure of one device (the device service worked, the device did not), or a refusal: not a sign the service is down. */
    public boolean aboutTheDevice() {
        return status < 500 || kind.startsWith("device-");
    }
}
