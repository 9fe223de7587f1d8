package io.junoscommander.backup.storage;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The encrypted object format, in the manner of Tink's streaming AEAD: the JDK's AES-GCM holds a whole message before it
 * releases any plaintext, so an object is a header followed by chunks of at most {@code chunkSize} plaintext bytes, each
 * its own GCM message.
 *
 * <pre>
 * header (40 bytes): "JCBE" | version 1 | key id (8) | salt (16) | nonce prefix (7) | chunk size (4, big-endian)
 * chunk i:           AES-256-GCM(object key, nonce = prefix | i (4) | last (1), aad = header | i (4) | last (1))
 *                    = ciphertext of the chunk's plaintext + 16-byte tag
 * </pre>
 *
 * The object key is derived from the configured key and the salt ({@link EncryptionKey#objectKey}). The chunk index and
 * the last-chunk flag are bound into every chunk, so reordered, dropped, appended or truncated chunks fail authentication;
 * the header is bound too, so it cannot be altered. The key id lets a reader tell "wrong key" from "tampered".
 */
final class EncryptedFormat {

    static final byte[] MAGIC = "JCBE".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int SALT_LENGTH = 16;
    static final int NONCE_PREFIX_LENGTH = 7;
    static final int HEADER_LENGTH = MAGIC.length + 1 + EncryptionKey.ID_LENGTH + SALT_LENGTH + NONCE_PREFIX_LENGTH + 4;
    static final int TAG_LENGTH = 16;
    /**
     * 16 KiB rather than the 1 MiB of Tink's large segments: HotSpot compiles AES-GCM's intrinsics only after many calls,
     * and with one 1 MiB call per chunk a fresh service encrypted and decrypted at about 20 MB/s for its first few hundred
     * MB (measured here: 200 MiB took 10 s in 1 MiB calls, under 4 s in 16 KiB calls, then both ran at GB/s). The tag costs
     * 0.1 %.
     */
    static final int DEFAULT_CHUNK_SIZE = 16 << 10;
    /** Bounds for the chunk size a reader accepts, so a damaged header cannot make it allocate gigabytes. */
    static final int MIN_CHUNK_SIZE = 16;
    static final int MAX_CHUNK_SIZE = 64 << 20;

    private static final SecureRandom RANDOM = new SecureRandom();

    private EncryptedFormat() {
    }

    /** The encrypted form of {@code plain}, produced as it is read. */
    static InputStream encrypting(InputStream plain, EncryptionKey key, int chunkSize) {
        return new Encrypting(plain, key, chunkSize);
    }

    /** The plaintext of an encrypted object; reads and checks the header now, so a wrong key fails at once. */
    static InputStream decrypting(InputStream encrypted, EncryptionKey key, String name) throws IOException {
        return new Decrypting(encrypted, key, name);
    }

    /** The stored size of {@code plainSize} bytes of plaintext. */
    static long encryptedSize(long plainSize, int chunkSize) {
        long chunks = Math.max(1, (plainSize + chunkSize - 1) / chunkSize);
        return HEADER_LENGTH + plainSize + chunks * TAG_LENGTH;
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is missing from this JVM", e);
        }
    }

    /** {@code cipher} set up for chunk {@code index}. */
    private static Cipher forChunk(Cipher cipher, int mode, SecretKey key, byte[] noncePrefix, byte[] header, int index, boolean last)
            throws GeneralSecurityException {
        byte[] nonce = ByteBuffer.allocate(12).put(noncePrefix).putInt(index).put((byte) (last ? 1 : 0)).array();
        cipher.init(mode, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
        cipher.updateAAD(header);
        cipher.updateAAD(ByteBuffer.allocate(5).putInt(index).put((byte) (last ? 1 : 0)).array());
        return cipher;
    }

    /** Base for both directions: serves {@code out[position, limit)} and refills it one chunk at a time. */
    private abstract static class ChunkStream extends InputStream {
        protected final InputStream source;
        protected final Cipher cipher = newCipher();
        protected byte[] out = new byte[0];
        protected int position;
        protected int limit;
        protected int index;
        protected boolean finished;
        private int lookahead = -1;

        ChunkStream(InputStream source) {
            // the one-byte look-ahead after each chunk would otherwise be a read call of its own on the file or socket
            this.source = new BufferedInputStream(source, 64 << 10);
        }

        /** Fills {@code out} with the next piece; sets {@code finished} after the last. */
        protected abstract void nextChunk() throws IOException;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            java.util.Objects.checkFromIndexSize(offset, length, buffer.length);
            if (length == 0) {
                return 0;
            }
            while (position == limit) {
                if (finished) {
                    return -1;
                }
                nextChunk();
            }
            int count = Math.min(length, limit - position);
            System.arraycopy(out, position, buffer, offset, count);
            position += count;
            return count;
        }

        @Override
        public int available() {
            return limit - position;
        }

        @Override
        public void close() throws IOException {
            source.close();
        }

        /**
         * Reads up to {@code buffer.length} bytes, starting with a byte read ahead before, and reports whether the source
         * ended: a full buffer is the last one only if the source has nothing after it (one byte is read ahead to know).
         */
        protected int fill(byte[] buffer, boolean[] last) throws IOException {
            int count = 0;
            if (lookahead >= 0) {
                buffer[count++] = (byte) lookahead;
                lookahead = -1;
            }
            count += source.readNBytes(buffer, count, buffer.length - count);
            if (count < buffer.length) {
                last[0] = true;
            } else {
                lookahead = source.read();
                last[0] = lookahead < 0;
            }
            return count;
        }
    }

    private static final class Encrypting extends ChunkStream {
        private final EncryptionKey key;
        private final byte[] header;
        private final byte[] noncePrefix = new byte[NONCE_PREFIX_LENGTH];
        private final SecretKey objectKey;
        private final byte[] plain;
        private boolean headerSent;

        Encrypting(InputStream source, EncryptionKey key, int chunkSize) {
            super(source);
            if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
                throw new IllegalArgumentException("chunk size out of range: " + chunkSize);
            }
            this.key = key;
            byte[] salt = new byte[SALT_LENGTH];
            RANDOM.nextBytes(salt);
            RANDOM.nextBytes(noncePrefix);
            this.header = ByteBuffer.allocate(HEADER_LENGTH).put(MAGIC).put((byte) VERSION).put(key.idBytes()).put(salt).put(noncePrefix)
                    .putInt(chunkSize).array();
            this.objectKey = key.objectKey(salt);
            this.plain = new byte[chunkSize];
        }

        @Override
        protected void nextChunk() throws IOException {
            if (!headerSent) {
                headerSent = true;
                out = header;
                position = 0;
                limit = header.length;
                return;
            }
            boolean[] last = new boolean[1];
            int count = fill(plain, last);
            if (out.length < plain.length + TAG_LENGTH) {
                out = new byte[plain.length + TAG_LENGTH];
            }
            try {
                limit = forChunk(cipher, Cipher.ENCRYPT_MODE, objectKey, noncePrefix, header, index, last[0])
                        .doFinal(plain, 0, count, out, 0);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot encrypt with key id " + key.id() + ": " + e.getMessage(), e);
            }
            position = 0;
            if (index == Integer.MAX_VALUE && !last[0]) {
                throw new IOException("object too large for the encrypted format (more than 2^31 chunks)");
            }
            index++;
            finished = last[0];
        }
    }

    private static final class Decrypting extends ChunkStream {
        private final EncryptionKey key;
        private final String name;
        private final byte[] header;
        private final byte[] noncePrefix;
        private final SecretKey objectKey;
        private final byte[] sealed;

        Decrypting(InputStream source, EncryptionKey key, String name) throws IOException {
            super(source);
            this.key = key;
            this.name = name;
            this.header = this.source.readNBytes(HEADER_LENGTH);
            if (header.length < HEADER_LENGTH || !Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                source.close();
                throw new IOException("backup object " + name + " is not encrypted in this service's format (no JCBE header);"
                        + " cannot decrypt it with key id " + key.id());
            }
            ByteBuffer fields = ByteBuffer.wrap(header, MAGIC.length, HEADER_LENGTH - MAGIC.length);
            int version = fields.get() & 0xff;
            byte[] keyId = new byte[EncryptionKey.ID_LENGTH];
            fields.get(keyId);
            byte[] salt = new byte[SALT_LENGTH];
            fields.get(salt);
            this.noncePrefix = new byte[NONCE_PREFIX_LENGTH];
            fields.get(noncePrefix);
            int chunkSize = fields.getInt();
            if (version != VERSION) {
                source.close();
                throw new IOException("backup object " + name + " has encryption format version " + version + "; this service reads "
                        + VERSION);
            }
            if (!Arrays.equals(keyId, key.idBytes())) {
                source.close();
                throw new IOException("backup object " + name + " was encrypted with key id " + HexFormat.of().formatHex(keyId)
                        + ", but BACKUP_ENCRYPTION_KEY has key id " + key.id() + ": wrong key, cannot decrypt");
            }
            if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
                source.close();
                throw new IOException("backup object " + name + " has a damaged header (chunk size " + chunkSize + ")");
            }
            this.objectKey = key.objectKey(salt);
            this.sealed = new byte[chunkSize + TAG_LENGTH];
            this.out = new byte[chunkSize];
        }

        @Override
        protected void nextChunk() throws IOException {
            boolean[] last = new boolean[1];
            int count = fill(sealed, last);
            if (count < TAG_LENGTH) {
                throw new EOFException("backup object " + name + " is truncated: chunk " + index + " is incomplete (key id " + key.id()
                        + ")");
            }
            try {
                limit = forChunk(cipher, Cipher.DECRYPT_MODE, objectKey, noncePrefix, header, index, last[0])
                        .doFinal(sealed, 0, count, out, 0);
            } catch (AEADBadTagException e) {
                throw new IOException("backup object " + name + " fails authentication at chunk " + index + " with key id " + key.id()
                        + ": it was altered, truncated or reordered", e);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot decrypt backup object " + name + " with key id " + key.id() + ": " + e.getMessage(), e);
            }
            position = 0;
            index++;
            finished = last[0];
        }
    }
}
