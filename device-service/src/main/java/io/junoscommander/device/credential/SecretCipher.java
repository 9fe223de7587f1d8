package io.junoscommander.device.credential;

import io.junoscommander.support.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for credential secrets. Each ciphertext is bound (as associated data) to its credential and field, so a
 * ciphertext copied into another row or column does not decrypt.
 */
@ApplicationScoped
public class SecretCipher {

    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Map<String, SecretKey> keys;
    private final String activeKeyId;
    private final SecureRandom random = new SecureRandom();

    SecretCipher(VaultConfig config) {
        String text = config.keysFile().map(SecretCipher::read).or(config::keys).filter(value -> !value.isBlank())
                .orElseThrow(() -> unconfigured(
                        "no credential master key: set CREDENTIAL_KEYS or CREDENTIAL_KEYS_FILE (id:base64 of 32 random bytes)"));
        this.keys = parse(text);
        this.activeKeyId = config.activeKey().filter(id -> !id.isBlank()).orElse(keys.keySet().iterator().next());
        if (!keys.containsKey(activeKeyId)) {
            throw unconfigured("CREDENTIAL_ACTIVE_KEY names key '" + activeKeyId + "', which is not among the keys");
        }
    }

    /**
     * A vault without its key is a deployment fault, not a request's: every credential operation answers 503 problem+json
     * saying what to set (the cipher is created on first use), never a 500.
     */
    private static ProblemException unconfigured(String detail) {
        return new ProblemException(503, "credential-vault-unconfigured", "Service unavailable", "The credential vault is not "
                + "configured: " + detail, List.of());
    }

    public String activeKeyId() {
        return activeKeyId;
    }

    public Set<String> keyIds() {
        return keys.keySet();
    }

    /** Encrypts under the active key; {@code binding} names the credential and field the ciphertext belongs to. */
    public byte[] encrypt(String plaintext, String binding) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(activeKeyId), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(binding.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    public String decrypt(String keyId, byte[] blob, String binding) {
        SecretKey key = keys.get(keyId);
        if (key == null) {
            throw new IllegalStateException("secret was encrypted under key '" + keyId + "', which is no longer configured");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, blob, 0, IV_BYTES));
            cipher.updateAAD(binding.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(blob, IV_BYTES, blob.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("secret does not decrypt under key '" + keyId + "' (tampered or wrong key)", e);
        }
    }

    private static Map<String, SecretKey> parse(String text) {
        Map<String, SecretKey> parsed = new LinkedHashMap<>();
        for (String entry : text.split("[,\\n]")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.indexOf(':');
            if (colon <= 0) {
                throw new IllegalStateException("credential key entries look like id:base64, got an entry without an id");
            }
            byte[] material;
            try {
                material = Base64.getDecoder().decode(trimmed.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("credential key '" + trimmed.substring(0, colon) + "' is not valid base64", e);
            }
            if (material.length != 32) {
                throw new IllegalStateException("credential key '" + trimmed.substring(0, colon) + "' must be 32 bytes (AES-256), got "
                        + material.length);
            }
            parsed.put(trimmed.substring(0, colon), new SecretKeySpec(material, "AES"));
        }
        if (parsed.isEmpty()) {
            throw new IllegalStateException("no credential master key configured");
        }
        return parsed;
    }

    private static String read(java.nio.file.Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CREDENTIAL_KEYS_FILE " + file, e);
        }
    }
}
