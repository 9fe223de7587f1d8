package io.junoscommander.backup.redis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds redis-cli, redis-check-rdb and redis-server on PATH or in the system folders; a missing one names its package. */
final class RedisBinaries {

    private RedisBinaries() {
    }

    static Optional<Path> find(String name) {
        List<String> folders = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        folders.addAll(List.of("/usr/local/bin", "/usr/bin", "/bin"));
        return folders.stream().filter(folder -> !folder.isBlank()).map(folder -> Path.of(folder, name)).filter(Files::isExecutable)
                .findFirst();
    }

    /** {@code debianPackage} is what to install when it is missing: redis-tools or redis-server. */
    static Path require(String name, String debianPackage) {
        return find(name).orElseThrow(() -> new IllegalStateException(name + " not found on PATH: install the Debian package '"
                + debianPackage + "'"));
    }
}
