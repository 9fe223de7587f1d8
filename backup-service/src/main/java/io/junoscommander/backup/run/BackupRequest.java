package io.junoscommander.backup.run;

import jakarta.validation.constraints.NotBlank;

/** {@code POST /api/v1/backups}: which kind to take now. */
public record BackupRequest(@NotBlank String kind) {
}
