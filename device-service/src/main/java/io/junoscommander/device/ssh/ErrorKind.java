package io.junoscommander.device.ssh;

import com.fasterxml.jackson.annotation.JsonValue;

/** Why running something on a device failed; callers branch on these, so they are part of the API. */
public enum ErrorKind {
    AUTH_FAILED("auth_failed"),
    UNREACHABLE("unreachable"),
    TIMEOUT("timeout"),
    HOST_KEY_MISMATCH("host_key_mismatch"),
    COMMAND_ERROR("command_error"),
    OUTPUT_TRUNCATED("output_truncated");

    private final String wireName;

    ErrorKind(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }
}
