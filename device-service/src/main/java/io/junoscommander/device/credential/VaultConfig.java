package io.junoscommander.device.credential;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Master keys of the credential vault: {@code CREDENTIAL_KEYS} (or the file {@code CREDENTIAL_KEYS_FILE}, e.g. a mounted
 * Kubernetes secret) holds {@code id:base64-of-32-bytes} entries separated by commas or new lines. New secrets are
 * encrypted under {@code CREDENTIAL_ACTIVE_KEY} (default: the first entry); older keys stay listed until re-encryption.
 */
@ConfigMapping(prefix = "junoscommander.vault")
public interface VaultConfig {

    Optional<String> keys();

    Optional<Path> keysFile();

    Optional<String> activeKey();
}
