package io.junoscommander.backup.catalog;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;
import java.util.UUID;

/** One object a backup run wrote, with the SHA-256 of its plain content. */
@Entity
@Table(name = "backup_file")
@IdClass(BackupFile.Key.class)
public class BackupFile extends PanacheEntityBase {

    @Id
    @Column(name = "backup_id")
    public UUID backupId;

    @Id
    public String name;

    @Column(name = "size_bytes", nullable = false)
    public long sizeBytes;

    @Column(nullable = false)
    public String sha256;

    /** The composite key. */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;

        public UUID backupId;
        public String name;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Objects.equals(backupId, key.backupId) && Objects.equals(name, key.name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(backupId, name);
        }
    }
}
