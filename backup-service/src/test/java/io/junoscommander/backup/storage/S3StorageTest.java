package io.junoscommander.backup.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.infra.S3Server;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 target against a real S3-compatible server (s3rver), with small parts and pages so each path is taken. */
class S3StorageTest {

    private static final int PART = 5 << 20;

    @TempDir
    Path temp;

    private S3Client client;
    private String bucket;
    private S3Storage storage;

    @BeforeEach
    void setUp() {
        S3Server server = S3Server.shared();
        System.setProperty("aws.accessKeyId", server.accessKeyId());
        System.setProperty("aws.secretAccessKey", server.secretAccessKey());
        bucket = "s3-storage-" + UUID.randomUUID().toString().substring(0, 8);
        server.createBucket(bucket);
        client = S3Storage.client(server.endpoint(), server.region());
        storage = new S3Storage(client, bucket, "/site-1/", PART, 10);
    }

    @AfterEach
    void tearDown() {
        storage.close();
    }

    @Test
    void aFileOfSeveralPartsGoesUpAsAMultipartUploadAndStreamsBackIdentical() throws IOException {
        Path file = temp.resolve("base.tar");
        byte[] content = new byte[2 * PART + 777];
        new Random(7).nextBytes(content);
        Files.write(file, content);

        storage.put("postgres-full/run/base.tar", file);

        assertThat(client.headObject(b -> b.bucket(bucket).key("site-1/postgres-full/run/base.tar")).contentLength())
                .isEqualTo(content.length);
        try (InputStream in = storage.open("postgres-full/run/base.tar")) {
            assertThat(BackupJob.sha256(in)).isEqualTo(BackupJob.sha256(file));
        }
        assertThat(storage.describe()).isEqualTo("s3://" + bucket + "/site-1/");
    }

    @Test
    void listingFollowsEveryPageAndStripsThePrefix() throws IOException {
        Path small = temp.resolve("small");
        Files.writeString(small, "x");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            keys.add(String.format("redis/run-%02d/dump.rdb", i));
            storage.put(keys.get(i), small);
        }
        storage.put("postgres-full/other/base.tar", small);

        // pages of 10: three requests for the 25 keys under redis/
        assertThat(storage.list("redis/")).extracting(BackupStorage.StoredObject::key).containsExactlyElementsOf(keys);
        assertThat(storage.list("")).hasSize(26);
        assertThat(storage.list("redis/run-07/")).singleElement().satisfies(o -> {
            assertThat(o.size()).isEqualTo(1);
            assertThat(o.lastModified()).isNotNull();
        });
    }

    @Test
    void aMissingKeyIsNoSuchFileAndDeletingItIsNoError() throws IOException {
        assertThatThrownBy(() -> storage.open("redis/none/dump.rdb")).isInstanceOf(NoSuchFileException.class)
                .hasMessage("redis/none/dump.rdb");
        assertThat(storage.exists("redis/none/dump.rdb")).isFalse();
        storage.delete("redis/none/dump.rdb");

        Path small = temp.resolve("small");
        Files.writeString(small, "y");
        storage.put("redis/one/dump.rdb", small);
        assertThat(storage.exists("redis/one/dump.rdb")).isTrue();
        storage.delete("redis/one/dump.rdb");
        assertThat(storage.exists("redis/one/dump.rdb")).isFalse();
    }

    @Test
    void anUploadWhoseSourceBreaksAfterSomePartsLeavesNoObject() throws IOException {
        InputStream breaking = new InputStream() {
            private long served;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (served >= 2L * PART + 10) {
                    throw new IOException("source broke");
                }
                int count = (int) Math.min(length, 2L * PART + 10 - served);
                served += count;
                return count;
            }
        };
        assertThatThrownBy(() -> storage.put("postgres-full/broken/base.tar", breaking)).isInstanceOf(IOException.class)
                .hasMessageContaining("source broke");
        assertThat(storage.exists("postgres-full/broken/base.tar")).isFalse();
        assertThat(storage.list("postgres-full/")).isEmpty();
    }
}
