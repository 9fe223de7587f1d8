package io.junoscommander.backup.nativeimage;

import io.junoscommander.backup.restore.BackupDescriptor;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * For the {@code native} profile: {@code backup.json}, written beside every backup and read back by restores and the
 * restore command with a plain {@code ObjectMapper}, outside any REST signature.
 */
@RegisterForReflection(targets = {BackupDescriptor.class, BackupDescriptor.FileEntry.class})
public final class BackupJsonTypes {

    private BackupJsonTypes() {
    }
}
