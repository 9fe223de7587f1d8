package io.junoscommander.backup.storage;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The backup encryption key ({@code BACKUP_ENCRYPTION_KEY}, base64 of 32 bytes) and its public id: the first 8 bytes of a
 * SHA-256 over a label and the key, written into every object so a wrong key is named as such instead of looking like
 * corruption. Neither {@link #toString()} nor any message ever shows the key itself.
 */
public final class EncryptionKey {

    public static final int LENGTH = 32;
    static final int ID_LENGTH = 8;

    private static final byte[] ID_LABEL = "junoscommander backup key id v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OBJECT_KEY_INFO = "junoscommander backup object key v1".getBytes(StandardCharsets.US_ASCII);

    private final byte[] key;
    private final byte[] id;

    private EncryptionKey(byte[] key) {
        this.key = key.clone();
        this.id = Arrays.copyOf(sha256(ID_LABEL, key), ID_LENGTH);
    }

    /** A key from its configured form; the message of the refusal says what is wrong, never what was given. */
    public static EncryptionKey parse(String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("BACKUP_ENCRYPTION_KEY is not valid base64: it must be the base64 of 32 random bytes"
                    + " (e.g. the output of 'openssl rand -base64 32')");
        }
        if (raw.length != LENGTH) {
            throw new IllegalArgumentException("BACKUP_ENCRYPTION_KEY decodes to " + raw.length + " bytes, not " + LENGTH
                    + ": it must be the base64 of 32 random bytes (e.g. the output of 'openssl rand -base64 32')");
        }
        return new EncryptionKey(raw);
    }

    public static EncryptionKey of(byte[] raw) {
        if (raw.length != LENGTH) {
            throw new IllegalArgumentException("an encryption key has " + LENGTH + " bytes, not " + raw.length);
        }
        return new EncryptionKey(raw);
    }

    /** The key's public fingerprint, 16 hex digits. */
    public String id() {
        return HexFormat.of().formatHex(id);
    }

    byte[] idBytes() {
        return id.clone();
    }

    /**
     * The AES-256 key of one object: HKDF-SHA256 of the master key with the object's random salt, so nonces never repeat
     * under one key however many objects are written.
     */
    SecretKey objectKey(byte[] salt) {
        try {
            Mac extract = Mac.getInstance("HmacSHA256");
            extract.init(new SecretKeySpec(salt, "HmacSHA256"));
            byte[] pseudoRandomKey = extract.doFinal(key);
            Mac expand = Mac.getInstance("HmacSHA256");
            expand.init(new SecretKeySpec(pseudoRandomKey, "HmacSHA256"));
            expand.update(OBJECT_KEY_INFO);
            expand.update((byte) 1);
            return new SecretKeySpec(expand.doFinal(), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "EncryptionKey[id=" + id() + "]";
    }

    private static byte[] sha256(byte[] label, byte[] value) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(label);
            return digest.digest(value);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
