package io.junoscommander.infra;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The harness's state file: its ports, names and the passwords it generated once. Another process (the local stack's
 * {@code status} and {@code down}, a test sweeping abandoned harnesses) rebuilds the harness from it.
 */
final class HarnessState {

    static final String FILE_NAME = "harness.properties";
    private static final String DB_PASSWORD = "db-password";
    private static final String BACKUP_PASSWORD = "backup-db-password";
    private static final String PGBOUNCER_ADMIN_PASSWORD = "pgbouncer-admin-password";

    private final Properties properties;

    private HarnessState(Properties properties) {
        this.properties = properties;
    }

    /** The state of {@code settings}' directory, created with new passwords when there is none. */
    static HarnessState loadOrCreate(InfraSettings settings) {
        Path stateFile = settings.directory().resolve(FILE_NAME);
        if (Files.exists(stateFile)) {
            Properties existing = readProperties(stateFile);
            if (!InfraPorts.load(existing).equals(settings.ports())) {
                throw new IllegalStateException(settings.directory() + " was created with other ports; stop it and remove it first");
            }
            if (existing.getProperty(BACKUP_PASSWORD) == null) {
                // state files written before the backup role existed
                existing.setProperty(BACKUP_PASSWORD, randomSecret());
                write(stateFile, existing);
            }
            return new HarnessState(existing);
        }
        Properties state = new Properties();
        settings.ports().store(state);
        state.setProperty("database", settings.database());
        state.setProperty("user", settings.user());
        state.setProperty("master-name", settings.masterName());
        state.setProperty("down-after-ms", Integer.toString(settings.sentinelDownAfterMillis()));
        state.setProperty("failover-timeout-ms", Integer.toString(settings.sentinelFailoverTimeoutMillis()));
        state.setProperty("durable", Boolean.toString(settings.durable()));
        state.setProperty("tls", Boolean.toString(settings.tls()));
        state.setProperty(DB_PASSWORD, randomSecret());
        state.setProperty(PGBOUNCER_ADMIN_PASSWORD, randomSecret());
        state.setProperty(BACKUP_PASSWORD, randomSecret());
        try {
            Files.createDirectories(settings.directory());
            // other users must traverse to the PostgreSQL folder; the secrets themselves stay private
            Files.setPosixFilePermissions(settings.directory(), PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + settings.directory(), e);
        }
        write(stateFile, state);
        return new HarnessState(state);
    }

    /** The state another process wrote in {@code stateFile}. */
    static HarnessState read(Path stateFile) {
        return new HarnessState(readProperties(stateFile));
    }

    /** The settings the state was written for, with the harness living in {@code directory}. */
    InfraSettings settings(Path directory) {
        return new InfraSettings(directory, InfraPorts.load(properties), properties.getProperty("database"),
                properties.getProperty("user"), properties.getProperty("master-name"),
                Integer.parseInt(properties.getProperty("down-after-ms")), Integer.parseInt(properties.getProperty("failover-timeout-ms")),
                Boolean.parseBoolean(properties.getProperty("durable")), Boolean.parseBoolean(properties.getProperty("tls", "false")));
    }

    String dbPassword() {
        return properties.getProperty(DB_PASSWORD);
    }

    String backupDbPassword() {
        return properties.getProperty(BACKUP_PASSWORD);
    }

    String pgBouncerAdminPassword() {
        return properties.getProperty(PGBOUNCER_ADMIN_PASSWORD);
    }

    /** Writes the state file through a private temporary file, so neither a reader nor a crash sees half of it. */
    private static void write(Path stateFile, Properties state) {
        Path temporary = stateFile.resolveSibling(FILE_NAME + ".tmp");
        try {
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                state.store(out, "JunosCommander infrastructure harness: ports and generated secrets");
            }
            Files.move(temporary, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + stateFile, e);
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static Properties readProperties(Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return properties;
    }
}
