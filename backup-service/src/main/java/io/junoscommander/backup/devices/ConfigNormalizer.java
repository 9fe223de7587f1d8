package io.junoscommander.backup.devices;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns a running configuration into what is stored and compared: line endings unified, volatile lines (commit stamps)
 * left out and secret values masked. Both lists are configuration, not code, so another platform's noise is a setting.
 */
@ApplicationScoped
public class ConfigNormalizer {

    public static final String SECRET_MARKER = "<secret masked>";

    private final List<Pattern> volatileLines;
    private final List<Pattern> secrets;

    ConfigNormalizer(DeviceHistoryConfig config) {
        this.volatileLines = compile("volatile-patterns", config.volatilePatterns());
        List<String> secretPatterns = new ArrayList<>(config.secretPatterns());
        config.extraSecretPatterns().ifPresent(secretPatterns::addAll);
        this.secrets = config.maskSecrets() ? compile("secret-patterns", secretPatterns) : List.of();
        for (Pattern secret : secrets) {
            if (secret.matcher("").groupCount() < 1) {
                throw new IllegalArgumentException("secret pattern '" + secret.pattern() + "' has no group: its first group is the value"
                        + " to mask");
            }
        }
    }

    public String normalize(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (String line : raw.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1)) {
            if (volatileLines.stream().anyMatch(p -> p.matcher(line).find())) {
                continue;
            }
            out.append(mask(line)).append('\n');
        }
        // one trailing newline, whatever the device sent
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == '\n') {
            end--;
        }
        out.setLength(end);
        return end == 0 ? "" : out.append('\n').toString();
    }

    private String mask(String line) {
        String masked = line;
        for (Pattern secret : secrets) {
            Matcher matcher = secret.matcher(masked);
            StringBuilder replaced = new StringBuilder();
            int last = 0;
            boolean found = false;
            while (matcher.find()) {
                if (matcher.group(1) == null) {
                    continue;
                }
                found = true;
                replaced.append(masked, last, matcher.start(1)).append(SECRET_MARKER);
                last = matcher.end(1);
            }
            if (found) {
                masked = replaced.append(masked, last, masked.length()).toString();
            }
        }
        return masked;
    }

    private static List<Pattern> compile(String setting, List<String> patterns) {
        List<Pattern> compiled = new ArrayList<>();
        for (String pattern : patterns) {
            if (pattern.isBlank()) {
                continue;
            }
            try {
                compiled.add(Pattern.compile(pattern));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("junoscommander.device-history." + setting + ": '" + pattern + "' is not a regular"
                        + " expression: " + e.getDescription(), e);
            }
        }
        return List.copyOf(compiled);
    }
}
