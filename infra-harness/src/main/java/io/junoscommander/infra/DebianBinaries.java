package io.junoscommander.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Finds the Debian binaries the harness drives and, when one is missing, names the package that provides it. */
final class DebianBinaries {

    private static final List<Path> SEARCH_PATH = searchPath();

    private DebianBinaries() {
    }

    /** A binary on PATH or in the usual system folders. */
    static Path require(String name, String debianPackage) {
        for (Path folder : SEARCH_PATH) {
            Path candidate = folder.resolve(name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw missing(name, debianPackage);
    }

    /** PostgreSQL server binaries live in Debian's versioned library folder, not on PATH; the newest version wins. */
    static Path postgres(String name) {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                List<Path> sorted = versions.filter(v -> Files.isExecutable(v.resolve("bin").resolve(name)))
                        .sorted(Comparator.comparing((Path v) -> versionNumber(v.getFileName().toString())).reversed())
                        .toList();
                if (!sorted.isEmpty()) {
                    return sorted.get(0).resolve("bin").resolve(name);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot list " + root, e);
            }
        }
        for (Path folder : SEARCH_PATH) {
            if (Files.isExecutable(folder.resolve(name))) {
                return folder.resolve(name);
            }
        }
        throw missing(name, "postgresql");
    }

    static MissingBinaryException missing(String name, String debianPackage) {
        return new MissingBinaryException(
                name + " not found: install the Debian package '" + debianPackage + "' (apt-get install " + debianPackage + ")");
    }

    private static int versionNumber(String folder) {
        try {
            return Integer.parseInt(folder);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static List<Path> searchPath() {
        List<Path> folders = new ArrayList<>();
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(":")) {
            if (!entry.isBlank()) {
                folders.add(Path.of(entry));
            }
        }
        for (String system : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            folders.add(Path.of(system));
        }
        return List.copyOf(folders);
    }

    /** Thrown when a binary the harness needs is not installed; the message names the Debian package. */
    public static final class MissingBinaryException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        MissingBinaryException(String message) {
            super(message);
        }
    }
}
