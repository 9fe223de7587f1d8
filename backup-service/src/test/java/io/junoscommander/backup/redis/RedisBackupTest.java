package io.junoscommander.backup.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.backup.storage.BackupStorage;
import io.junoscommander.infra.testing.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Redis backup taken through the API from a replica of the real Sentinel-managed cluster, restored and read back. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class RedisBackupTest {

    @Inject
    BackupStorage storage;

    @TempDir
    Path scratch;

    @Test
    void aRedisBackupComesFromAHealthyReplicaAndRestoresEveryKeyWithItsValue() throws Exception {
        Map<String, String> keys = RedisBackups.writeKeys(200);

        JsonPath run = RedisBackups.takeBackup();

        assertThat(run.getString("status")).as(run.prettify()).isEqualTo("succeeded");
        assertThat(run.getBoolean("verified")).isTrue();
        assertThat(run.getBoolean("encrypted")).isFalse();
        assertThat(run.getString("storage")).isEqualTo("directory");
        assertThat(run.getString("details.role")).isEqualTo("replica");
        assertThat(run.getString("details.source")).isNotEqualTo(RedisBackups.infra().redisMaster());
        assertThat(run.getString("details.sourceReason")).contains("healthy replica");
        assertThat(run.getLong("details.keys")).isGreaterThanOrEqualTo(keys.size());
        assertThat(run.getLong("details.rdbKeys")).isGreaterThanOrEqualTo(keys.size());
        assertThat(run.getString("details.check")).contains("RDB looks OK");
        assertThat(run.getList("files.name")).containsExactly("dump.rdb");
        long size = run.getLong("files[0].sizeBytes");
        assertThat(run.getLong("details.rdbSizeBytes")).isEqualTo(size);
        assertThat(run.getString("checksum")).hasSize(64);

        // the object in the storage is an RDB whose SHA-256 the catalog recorded, with SHA256SUMS beside it
        String location = run.getString("location");
        Path downloaded = scratch.resolve("downloaded.rdb");
        storage.get(location + "dump.rdb", downloaded);
        assertThat(Files.size(downloaded)).isEqualTo(size);
        assertThat(new String(Files.readAllBytes(downloaded), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("REDIS");
        try (var sums = storage.open(location + "SHA256SUMS")) {
            assertThat(new String(sums.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(run.getString("files[0].sha256") + "  dump.rdb\n");
        }

        try (RedisRestore.RestoredRedis restored = RedisRestore.fromBackup(storage, location, run.getString("files[0].sha256"),
                scratch.resolve("restore"))) {
            assertThat(restored.port()).isNotIn(RedisBackups.infra().settings().ports().redis());
            assertThat(restored.keys()).isGreaterThanOrEqualTo(keys.size());
            RedisBackups.assertRestored(restored, keys);
        }
    }
}
