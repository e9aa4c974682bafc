package io.github.gorl.core;

import io.github.gorl.api.LatentPolicyOptimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A copy of an encoder's full state (whatever its {@link LatentPolicyOptimizer#save} writes: policy, critic, Adam,
 * observation statistics), held in memory as the saved files' bytes: the stage's best-evaluated encoder, from which
 * the decoder's data is collected ({@link DecoderRefit#collectFromBest()}). Works for any optimizer, since it goes
 * through the optimizer's own save and load.
 */
final class EncoderSnapshot {

    /** The checkpoint sub-folder that holds the snapshot's files. */
    static final String FOLDER = "best-encoder";

    private final Map<String, byte[]> files;

    private EncoderSnapshot(Map<String, byte[]> files) {
        this.files = files;
    }

    /**
     * Takes a snapshot of {@code optimizer} through a temporary folder, deleted afterwards.
     *
     * @param optimizer an initialized optimizer
     * @return the snapshot
     */
    static EncoderSnapshot of(LatentPolicyOptimizer optimizer) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("gorl-encoder-");
            optimizer.save(dir);
            return new EncoderSnapshot(readAll(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("could not snapshot the encoder through " + dir, e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * Loads the snapshot into {@code optimizer} (built like the one it was taken from).
     *
     * @param optimizer the optimizer to restore
     */
    void restoreInto(LatentPolicyOptimizer optimizer) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("gorl-encoder-");
            writeTo(dir);
            optimizer.load(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not restore the best encoder through " + dir, e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * Writes the snapshot's files into {@code directory}, which exists.
     *
     * @param directory the destination
     * @throws IOException if writing fails
     */
    void writeTo(Path directory) throws IOException {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path file = directory.resolve(f.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, f.getValue());
        }
    }

    /**
     * Reads a snapshot that {@link #writeTo} wrote.
     *
     * @param directory the folder
     * @return the snapshot, or null when the folder does not exist
     * @throws IOException if reading fails
     */
    static EncoderSnapshot readFrom(Path directory) throws IOException {
        return Files.isDirectory(directory) ? new EncoderSnapshot(readAll(directory)) : null;
    }

    private static Map<String, byte[]> readAll(Path dir) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile).sorted()::iterator) {
                files.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary folder is harmless
        }
    }
}
