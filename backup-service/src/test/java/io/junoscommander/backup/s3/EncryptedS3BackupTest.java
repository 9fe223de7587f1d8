package io.junoscommander.backup.s3;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junoscommander.backup.redis.RedisBackups;
import io.junoscommander.backup.redis.RedisRestore;
import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.backup.storage.BackupStorage;
import io.junoscommander.backup.storage.EncryptedStorage;
import io.junoscommander.backup.storage.EncryptionKey;
import io.junoscommander.backup.storage.S3Storage;
import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.InternalTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Backups in a real S3-compatible server (s3rver), encrypted on the client: written and listed through the API, really in
 * the bucket, restorable with the key, and of no use without it.
 */
@QuarkusTest
@TestProfile(EncryptedS3Profile.class)
@QuarkusTestResource(InfraTestResource.class)
class EncryptedS3BackupTest {

    private static final Logger LOG = Logger.getLogger(EncryptedS3BackupTest.class);
    private static final int LARGE_MEGABYTES = Integer.getInteger("jc.s3.large-object-mb", 40);
    private static final int ROUNDS = Integer.getInteger("jc.s3.rounds", 1);

    @Inject
    BackupStorage storage;

    @TempDir
    Path scratch;

    @Test
    void aRedisBackupGoesToTheBucketEncryptedIsListedAndRestoresOnlyWithTheKey() throws Exception {
        Map<String, String> keys = RedisBackups.writeKeys(100);

        JsonPath run = RedisBackups.takeBackup();

        assertThat(run.getString("status")).as(run.prettify()).isEqualTo("succeeded");
        assertThat(run.getString("storage")).isEqualTo("s3");
        assertThat(run.getBoolean("encrypted")).isTrue();
        assertThat(run.getBoolean("verified")).isTrue();
        String id = run.getString("id");
        String location = run.getString("location");
        String sha256 = run.getString("files[0].sha256");
        long plainSize = run.getLong("files[0].sizeBytes");

        // listed by the API, marked encrypted
        JsonPath listed = given().header("Authorization", InternalTokens.bearer("vera", "viewer")).queryParam("kind", "redis").when()
                .get("/api/v1/backups").then().statusCode(200).extract().jsonPath();
        assertThat(listed.getBoolean("find { it.id == '" + id + "' }.encrypted")).isTrue();
        assertThat(listed.getString("find { it.id == '" + id + "' }.storage")).isEqualTo("s3");

        // the objects really are in the bucket, under the configured prefix, and they are not an RDB
        try (S3Client client = S3Storage.client(EncryptedS3Profile.endpoint(), "us-east-1")) {
            List<S3Object> objects = client.listObjectsV2Paginator(b -> b.bucket(EncryptedS3Profile.BUCKET)
                    .prefix(EncryptedS3Profile.PREFIX + "/" + location)).contents().stream().toList();
            assertThat(objects).extracting(S3Object::key).containsExactly(EncryptedS3Profile.PREFIX + "/" + location + "SHA256SUMS",
                    EncryptedS3Profile.PREFIX + "/" + location + "dump.rdb");
            ResponseBytes<GetObjectResponse> raw = client.getObjectAsBytes(b -> b.bucket(EncryptedS3Profile.BUCKET)
                    .key(EncryptedS3Profile.PREFIX + "/" + location + "dump.rdb"));
            byte[] stored = raw.asByteArray();
            assertThat(stored.length).isGreaterThan((int) plainSize);
            assertThat(new String(stored, 0, 5, StandardCharsets.US_ASCII)).isNotEqualTo("REDIS").startsWith("JCBE");
            assertThat(BackupJob.sha256(new java.io.ByteArrayInputStream(stored))).isNotEqualTo(sha256);
            Path rawFile = scratch.resolve("raw.rdb");
            Files.write(rawFile, stored);
            assertThatThrownBy(() -> RedisRestore.start(rawFile, scratch.resolve("raw-restore"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("RDB magic");
            // the checksum file is encrypted too: its plain text names the dump
            byte[] sums = client.getObjectAsBytes(b -> b.bucket(EncryptedS3Profile.BUCKET).key(EncryptedS3Profile.PREFIX + "/" + location
                    + "SHA256SUMS")).asByteArray();
            assertThat(new String(sums, StandardCharsets.ISO_8859_1)).doesNotContain("dump.rdb");
        }

        // with the key: downloaded, decrypted, checksum as recorded, and every key back with its value
        try (RedisRestore.RestoredRedis restored = RedisRestore.fromBackup(storage, location, sha256, scratch.resolve("restore"))) {
            RedisBackups.assertRestored(restored, keys);
        }

        // with another key: refused, naming both key ids
        String configuredKeyId = EncryptionKey.parse(EncryptedS3Profile.key()).id();
        try (EncryptedStorage otherKey = new EncryptedStorage(bucket(), EncryptionKey.parse(EncryptedS3Profile.newKey()))) {
            assertThatThrownBy(() -> otherKey.get(location + "dump.rdb", scratch.resolve("other.rdb"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("wrong key").hasMessageContaining(configuredKeyId).hasMessageContaining(otherKey.keyId());
        }
    }

    @Test
    void aLargeObjectGoesUpInEncryptedPartsAndComesBackIdentical() throws Exception {
        Path large = scratch.resolve("large.bin");
        byte[] block = new byte[1 << 20];
        Random random = new Random(42);
        try (OutputStream out = Files.newOutputStream(large)) {
            for (int i = 0; i < LARGE_MEGABYTES; i++) {
                random.nextBytes(block);
                out.write(block);
            }
            out.write(block, 0, 12_345);
        }
        long size = Files.size(large);
        String key = "test-large/" + System.nanoTime() + "/base.bin";

        // rounds > 1 (-Djc.s3.rounds=3) measure a warmed-up JVM: the first round pays for JIT-compiling AES-GCM
        for (int round = 1; round <= ROUNDS; round++) {
            try (S3Storage plain = bucket()) {
                long started = System.nanoTime();
                plain.put(key + ".plain", large);
                double seconds = (System.nanoTime() - started) / 1e9;
                LOG.infof("s3rver round %d: %.1f MB plain multipart upload in %.2f s (%.1f MB/s)", round, size / 1e6, seconds,
                        size / 1e6 / seconds);
                plain.delete(key + ".plain");
            }
            long started = System.nanoTime();
            storage.put(key, large);
            double uploadSeconds = (System.nanoTime() - started) / 1e9;
            started = System.nanoTime();
            String downloaded;
            try (InputStream in = storage.open(key)) {
                downloaded = BackupJob.sha256(in);
            }
            double downloadSeconds = (System.nanoTime() - started) / 1e9;
            LOG.infof("s3rver round %d: %.1f MB encrypted multipart upload in %.2f s (%.1f MB/s), streamed download and decryption"
                    + " in %.2f s (%.1f MB/s)", round, size / 1e6, uploadSeconds, size / 1e6 / uploadSeconds, downloadSeconds,
                    size / 1e6 / downloadSeconds);
            assertThat(downloaded).isEqualTo(BackupJob.sha256(large));
        }
        assertThat(storage.list("test-large/")).filteredOn(o -> o.key().equals(key)).singleElement()
                .satisfies(o -> assertThat(o.size()).isGreaterThan(size));
        storage.delete(key);
        assertThat(storage.exists(key)).isFalse();
    }

    /** The bucket as the service sees it, without the encryption layer. */
    private static S3Storage bucket() {
        return S3Storage.create(EncryptedS3Profile.endpoint(), "us-east-1", EncryptedS3Profile.BUCKET, EncryptedS3Profile.PREFIX);
    }

    @Test
    void anUploadThatFailsMidwayLeavesNoObject() throws Exception {
        String key = "test-failed/" + System.nanoTime() + "/base.bin";
        // 40 MiB of content whose source breaks after 20 MiB: the multipart upload has parts in the bucket by then
        InputStream breaking = new InputStream() {
            private long served;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (served >= 20L << 20) {
                    throw new IOException("source broke");
                }
                int count = (int) Math.min(length, (20L << 20) - served);
                Arrays.fill(buffer, offset, offset + count, (byte) 7);
                served += count;
                return count;
            }
        };
        assertThatThrownBy(() -> storage.put(key, breaking)).isInstanceOf(IOException.class).hasMessageContaining("source broke");
        assertThat(storage.exists(key)).isFalse();
        assertThat(storage.list("test-failed/")).isEmpty();
    }
}
