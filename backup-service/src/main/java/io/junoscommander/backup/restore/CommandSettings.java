package io.junoscommander.backup.restore;

import io.junoscommander.backup.config.BackupConfig;
import io.junoscommander.backup.storage.BackupStorage;
import io.junoscommander.backup.storage.StorageProducer;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SysPropConfigSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The backup settings as the service itself resolves them, for the restore command that runs without the service: the
 * service's own {@code application.properties} from the jar, its {@code ${BACKUP_DIR:…}} expressions resolved against
 * the environment, so both read the same variables with the same defaults.
 */
public final class CommandSettings {

    private final SmallRyeConfig config;

    private CommandSettings(SmallRyeConfig config) {
        this.config = config;
    }

    public static CommandSettings from(Map<String, String> environment) {
        URL properties = CommandSettings.class.getClassLoader().getResource("application.properties");
        // the default interceptors resolve ${BACKUP_DIR:…} expressions
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withSources(new EnvConfigSource(environment, 300), new SysPropConfigSource());
        if (properties != null) {
            try {
                builder.withSources(new PropertiesConfigSource(properties, 250));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the service's application.properties", e);
            }
        }
        return new CommandSettings(builder.build());
    }

    /**
     * The storage the service writes to, from the same settings (BACKUP_DIR, BACKUP_S3_*, BACKUP_ENCRYPTION_KEY). Read as
     * plain values: a configuration mapping would need the bytecode generator, which only the Quarkus build has.
     */
    public BackupStorage storage() {
        BackupConfig.S3 s3 = new BackupConfig.S3() {
            @Override
            public Optional<String> bucket() {
                return value("junoscommander.backup.s3.bucket");
            }

            @Override
            public Optional<String> endpoint() {
                return value("junoscommander.backup.s3.endpoint");
            }

            @Override
            public String region() {
                return value("junoscommander.backup.s3.region").orElse("us-east-1");
            }

            @Override
            public Optional<String> prefix() {
                return value("junoscommander.backup.s3.prefix");
            }
        };
        return StorageProducer.create(backupDir(), s3, value("junoscommander.backup.encryption-key"));
    }

    public Optional<String> value(String name) {
        return config.getOptionalValue(name, String.class).filter(value -> !value.isBlank());
    }

    /** {@code BACKUP_DIR}. */
    public Path backupDir() {
        return Path.of(value("junoscommander.backup.dir").orElse("/var/lib/junoscommander/backups"));
    }

    /** {@code BACKUP_WORK_DIR}. */
    public Path workDir() {
        return Path.of(value("junoscommander.backup.work-dir").orElse(System.getProperty("java.io.tmpdir") + "/jc-backup-work"));
    }

    /** {@code BACKUP_PG_BIN_DIR}. */
    public Optional<Path> pgBinDir() {
        return value("junoscommander.backup.postgres.bin-dir").map(Path::of);
    }
}
