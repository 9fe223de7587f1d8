package io.junoscommander.backup.restore;

import io.junoscommander.backup.storage.BackupStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Downloads a backup's objects and proves each one against the SHA-256 the backup recorded for it. */
public final class ObjectFetcher {

    private ObjectFetcher() {
    }

    /** Copies {@code name} of {@code backup} to {@code target}; a SHA-256 or size that differs from the record throws naming the object. */
    public static void fetch(BackupStorage storage, BackupDescriptor backup, String name, Path target) throws IOException {
        BackupDescriptor.FileEntry expected = backup.file(name);
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(storage.open(backup.location() + name), digest);
                OutputStream out = Files.newOutputStream(target)) {
            in.transferTo(out);
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(expected.sha256())) {
            throw new CorruptObjectException(name, "SHA-256 " + actual + " differs from the recorded " + expected.sha256());
        }
        if (Files.size(target) != expected.sizeBytes()) {
            throw new CorruptObjectException(name, "size " + Files.size(target) + " differs from the recorded " + expected.sizeBytes());
        }
    }

    /** The SHA-256 of a stored object's plain content, read to its end. */
    public static String sha256Of(BackupStorage storage, String key) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(storage.open(key), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stored object is not what the backup wrote; the message names it. */
    public static final class CorruptObjectException extends IOException {
        private static final long serialVersionUID = 1L;

        public CorruptObjectException(String object, String problem) {
            super(object + ": " + problem);
        }
    }
}
