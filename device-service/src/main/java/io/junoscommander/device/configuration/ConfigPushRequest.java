package io.junoscommander.device.configuration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Configuration lines to load ({@code set}/{@code delete}/{@code activate}/{@code deactivate} statements only, so a push
 * cannot smuggle other CLI commands), and what to do with them. The comment may hold any printable character: quotes and
 * backslashes are escaped on the command line; control characters (a newline would end the command) are refused.
 */
public record ConfigPushRequest(
        @NotEmpty @Size(max = 5000) List<@NotNull @Pattern(regexp = "(set|delete|activate|deactivate) [^\\r\\n;]+",
                message = "a set, delete, activate or deactivate statement on one line") String> lines,
        @NotNull @Pattern(regexp = "check|commit|commit-confirmed", message = "check, commit or commit-confirmed") String mode,
        @Min(1) @Max(65535) Integer confirmMinutes,
        @Size(max = 200) @Pattern(regexp = "[^\\p{Cc}\\p{Zl}\\p{Zp}]*", message = "one line of printable characters")
        String comment) {
}
