package io.junoscommander.backup.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junoscommander.backup.run.BackupJob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encrypted format over a real directory: what goes in comes out, and any change to the stored bytes is caught. */
class EncryptedStorageTest {

    private static final int CHUNK = 64 * 1024;
    private static final int SEALED_CHUNK = CHUNK + EncryptedFormat.TAG_LENGTH;

    @TempDir
    Path temp;

    private DirectoryStorage directory;
    private EncryptionKey key;
    private EncryptedStorage storage;

    @BeforeEach
    void setUp() throws IOException {
        directory = new DirectoryStorage(temp.resolve("backups"));
        key = EncryptionKey.of(randomBytes(32, 1));
        storage = new EncryptedStorage(directory, key, CHUNK);
    }

    @Test
    void aMultiChunkFileOfOddSizeComesBackIdenticalWithDefaultChunks() throws IOException {
        Path plain = file("odd.bin", 3 * (1 << 20) + 12_345);
        EncryptedStorage defaults = new EncryptedStorage(directory, key);
        defaults.put("redis/run/dump.rdb", plain);

        assertThat(read(defaults, "redis/run/dump.rdb")).isEqualTo(Files.readAllBytes(plain));
        Path stored = directory.root().resolve("redis/run/dump.rdb");
        assertThat(Files.size(stored)).isEqualTo(EncryptedFormat.encryptedSize(Files.size(plain), EncryptedFormat.DEFAULT_CHUNK_SIZE));
        assertThat(defaults.list("redis/").get(0).size()).isEqualTo(Files.size(stored));
        // what lies on disk tells nothing: no run of the plaintext's first bytes appears in it
        assertThat(indexOf(Files.readAllBytes(stored), Arrays.copyOf(Files.readAllBytes(plain), 32))).isNegative();
        assertThat(defaults.encrypted()).isTrue();
        assertThat(defaults.describe()).contains("encrypted, key id " + key.id());
    }

    @Test
    void emptyAndExactMultipleOfTheChunkSizeRoundTrip() throws IOException {
        for (int size : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 4 * CHUNK}) {
            Path plain = file("size-" + size, size);
            storage.put("k/" + size, plain);
            assertThat(read(storage, "k/" + size)).as("size %d", size).isEqualTo(Files.readAllBytes(plain));
        }
    }

    @Test
    void theCatalogChecksumIsThatOfThePlainContent() throws IOException {
        Path plain = file("sum.bin", 5 * CHUNK + 7);
        storage.put("k/sum", plain);
        try (InputStream in = storage.open("k/sum")) {
            assertThat(BackupJob.sha256(in)).isEqualTo(BackupJob.sha256(plain));
        }
        assertThat(BackupJob.sha256(directory.root().resolve("k/sum"))).isNotEqualTo(BackupJob.sha256(plain));
    }

    @Test
    void aFlippedByteAnywhereIsDetected() throws IOException {
        Path plain = file("flip.bin", 3 * CHUNK + 99);
        storage.put("k/flip", plain);
        Path stored = directory.root().resolve("k/flip");
        byte[] original = Files.readAllBytes(stored);
        // in the header's salt, in the first chunk, in the middle chunk's tag, in the last chunk
        for (int position : new int[] {EncryptedFormat.HEADER_LENGTH - 10, EncryptedFormat.HEADER_LENGTH + 5,
            EncryptedFormat.HEADER_LENGTH + 2 * SEALED_CHUNK - 1, original.length - 1}) {
            byte[] altered = original.clone();
            altered[position] ^= 0x01;
            Files.write(stored, altered);
            assertThatThrownBy(() -> read(storage, "k/flip")).as("flip at %d", position).isInstanceOf(IOException.class)
                    .hasMessageContaining("k/flip").hasMessageContaining("key id " + key.id());
        }
    }

    @Test
    void aTruncatedObjectIsDetected() throws IOException {
        Path plain = file("cut.bin", 3 * CHUNK + 99);
        storage.put("k/cut", plain);
        Path stored = directory.root().resolve("k/cut");
        byte[] original = Files.readAllBytes(stored);
        // at a chunk boundary (the last chunk dropped whole), inside the last chunk, inside the tag, right after the header
        for (int length : new int[] {EncryptedFormat.HEADER_LENGTH + 3 * SEALED_CHUNK, original.length - 50, original.length - 1,
            EncryptedFormat.HEADER_LENGTH, EncryptedFormat.HEADER_LENGTH - 1}) {
            Files.write(stored, Arrays.copyOf(original, length));
            assertThatThrownBy(() -> read(storage, "k/cut")).as("cut to %d", length).isInstanceOf(IOException.class)
                    .hasMessageContaining("k/cut");
        }
    }

    @Test
    void swappedOrAppendedChunksAreDetected() throws IOException {
        Path plain = file("swap.bin", 4 * CHUNK);
        storage.put("k/swap", plain);
        Path stored = directory.root().resolve("k/swap");
        byte[] original = Files.readAllBytes(stored);
        int first = EncryptedFormat.HEADER_LENGTH;
        byte[] swapped = original.clone();
        System.arraycopy(original, first + SEALED_CHUNK, swapped, first, SEALED_CHUNK);
        System.arraycopy(original, first, swapped, first + SEALED_CHUNK, SEALED_CHUNK);
        Files.write(stored, swapped);
        assertThatThrownBy(() -> read(storage, "k/swap")).isInstanceOf(IOException.class).hasMessageContaining("chunk 0");

        byte[] appended = Arrays.copyOf(original, original.length + SEALED_CHUNK);
        System.arraycopy(original, first, appended, original.length, SEALED_CHUNK);
        Files.write(stored, appended);
        assertThatThrownBy(() -> read(storage, "k/swap")).isInstanceOf(IOException.class).hasMessageContaining("fails authentication");
    }

    @Test
    void anotherKeyIsRefusedByNameAndAPlainFileIsNotMistakenForAnEncryptedOne() throws IOException {
        Path plain = file("key.bin", 2 * CHUNK + 1);
        storage.put("k/key", plain);
        EncryptionKey other = EncryptionKey.of(randomBytes(32, 2));
        assertThatThrownBy(() -> read(new EncryptedStorage(directory, other), "k/key")).isInstanceOf(IOException.class)
                .hasMessageContaining("wrong key").hasMessageContaining(key.id()).hasMessageContaining(other.id());

        directory.put("k/plain", plain);
        assertThatThrownBy(() -> read(storage, "k/plain")).isInstanceOf(IOException.class).hasMessageContaining("not encrypted");
    }

    @Test
    void aMalformedKeyIsRefusedWithoutEchoingIt() {
        String tooShort = Base64.getEncoder().encodeToString(randomBytes(16, 3));
        assertThatThrownBy(() -> EncryptionKey.parse(tooShort)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16 bytes, not 32").hasMessageNotContaining(tooShort);
        assertThatThrownBy(() -> EncryptionKey.parse("not base64 at all!")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid base64").hasMessageNotContaining("at all");
        EncryptionKey good = EncryptionKey.parse(Base64.getEncoder().encodeToString(randomBytes(32, 4)));
        assertThat(good.toString()).isEqualTo("EncryptionKey[id=" + good.id() + "]");
    }

    private Path file(String name, int size) throws IOException {
        Path path = temp.resolve(name);
        Files.write(path, randomBytes(size, size));
        return path;
    }

    private static byte[] read(BackupStorage storage, String key) throws IOException {
        try (InputStream in = storage.open(key)) {
            return in.readAllBytes();
        }
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
