package io.junoscommander.device.credential;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A stored credential: metadata in clear, secrets as ciphertexts under {@code keyId}. */
public record Credential(UUID id, String name, String username, String keyId, byte[] passwordSecret, byte[] privateKeySecret,
        byte[] passphraseSecret, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    /** What the API shows: never a secret, only whether one is there. */
    public record View(UUID id, String name, String username, boolean hasPassword, boolean hasPrivateKey, String keyId,
            OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    }

    public View view() {
        return new View(id, name, username, passwordSecret != null, privateKeySecret != null, keyId, createdAt, updatedAt);
    }

    static String binding(UUID id, String field) {
        return "credential:" + id + ":" + field;
    }

    @Override
    public String toString() {
        return "Credential[" + id + ", " + name + "]";
    }
}
