package io.github.gorl.envs.mujoco;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Where this JVM mapped the MuJoCo libraries from, read from {@code /proc/self/maps} (Linux). */
final class LoadedLibraries {

    static final List<String> BUNDLED = List.of(
            "libjniMuJoCoNative.so", "libmujoco.so.2.2.2", "libccd.so.2", "liblodepng.so.0",
            "libqhull_r.so.8.0", "libtinyxml2.so.9");

    private LoadedLibraries() {}

    /** File name to the directory it was mapped from, for the bundled libraries. */
    static Map<String, Path> bundled() {
        MuJoCoNative.load();
        Map<String, Path> found = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                Path file = Path.of(line.substring(slash).trim());
                String name = file.getFileName().toString();
                if (BUNDLED.contains(name)) {
                    found.put(name, file.getParent());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
