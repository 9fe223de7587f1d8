package io.junoscommander.backup.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junoscommander.backup.config.BackupConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which storage the service builds from its settings (read through the real config mapping), and the refusal of a bad key. */
class StorageProducerTest {

    @TempDir
    Path temp;

    @Test
    void theDirectoryUnlessABucketIsNamedAndEncryptedWhenAKeyIsGiven() throws Exception {
        assertThat(StorageProducer.create(config(Map.of()))).isInstanceOf(DirectoryStorage.class);

        String key = Base64.getEncoder().encodeToString(new byte[32]);
        BackupStorage encrypted = StorageProducer.create(config(Map.of("junoscommander.backup.encryption-key", key)));
        assertThat(encrypted).isInstanceOf(EncryptedStorage.class);
        assertThat(encrypted.kind()).isEqualTo("directory");
        assertThat(encrypted.encrypted()).isTrue();

        try (EncryptedStorage s3 = (EncryptedStorage) StorageProducer.create(config(Map.of("junoscommander.backup.s3.bucket", "backups",
                "junoscommander.backup.s3.endpoint", "http://127.0.0.1:9", "junoscommander.backup.s3.prefix", "prod/",
                "junoscommander.backup.encryption-key", key)))) {
            assertThat(s3.kind()).isEqualTo("s3");
            assertThat(s3.describe()).isEqualTo("s3://backups/prod/ (encrypted, key id " + s3.keyId() + ")").doesNotContain(key);
        }
    }

    @Test
    void aMalformedKeyStopsTheServiceSayingWhatIsWrongButNotTheKey() {
        String shortKey = Base64.getEncoder().encodeToString("sixteen byte key".getBytes());
        assertThatThrownBy(() -> StorageProducer.create(config(Map.of("junoscommander.backup.encryption-key", shortKey))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("BACKUP_ENCRYPTION_KEY decodes to 16 bytes, not 32")
                .hasMessageNotContaining(shortKey);
        assertThatThrownBy(() -> StorageProducer.create(config(Map.of("junoscommander.backup.s3.bucket", "b",
                "junoscommander.backup.s3.endpoint", "minio:9000")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BACKUP_S3_ENDPOINT must be a URL");
    }

    private BackupConfig config(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of("junoscommander.backup.dir", temp.resolve("backups").toString(),
                "junoscommander.backup.work-dir", temp.resolve("work").toString(), "junoscommander.backup.postgres.host", "127.0.0.1",
                "junoscommander.backup.postgres.port", "5432", "junoscommander.backup.postgres.database", "jc",
                "junoscommander.backup.postgres.user", "jc_backup"));
        all.putAll(settings);
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(BackupConfig.class)
                .withSources(new PropertiesConfigSource(all, "test", 100)).build();
        return config.getConfigMapping(BackupConfig.class);
    }
}
