package io.junoscommander.device.inventory;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Create or replace a device. {@code credentialName} is accepted instead of {@code credentialId} (handy in imports);
 * port defaults to 22 and enabled to true.
 */
public record DeviceRequest(
        @NotBlank @Size(max = 253) @Pattern(regexp = NAME, message = "letters, digits, '.', '_', ':' and '-'") String name,
        @NotBlank @Size(max = 253) @Pattern(regexp = "[^\\s/]*", message = "a host name or IP address") String host,
        @Min(1) @Max(65535) Integer port,
        @NotBlank @Pattern(regexp = "[a-z][a-z0-9_-]{0,31}", message = "a lower-case platform name such as junos or linux") String platform,
        @Size(max = 64) String site,
        @Size(max = 64) List<@NotBlank @Size(max = 64) String> tags,
        Map<String, Object> attributes,
        UUID credentialId,
        @Size(max = 128) String credentialName,
        Boolean enabled) {

    static final String NAME = "[A-Za-z0-9][A-Za-z0-9._:-]*";

    int portOrDefault() {
        return port == null ? 22 : port;
    }

    boolean enabledOrDefault() {
        return enabled == null || enabled;
    }

    List<String> tagsOrEmpty() {
        return tags == null ? List.of() : tags.stream().map(String::strip).distinct().toList();
    }

    Map<String, Object> attributesOrEmpty() {
        return attributes == null ? Map.of() : attributes;
    }
}
