package io.github.gorl.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.core.train.JsonFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Saving and restoring an agent: the optimizer, the decoder, and a {@code checkpoint.json} describing them and the
 * training progress.
 *
 * <p>A checkpoint is complete or absent. It is written into a fresh sibling folder {@code <name>.tmp-<n>}
 * ({@code checkpoint.json} last), then swapped in: the old folder is renamed to {@code <name>.old-<n>}, the new one
 * renamed to {@code <name>}, the old one deleted. A process killed at any moment leaves either {@code <name>}
 * complete, or (between the two renames) no {@code <name>} but a complete {@code .old-} and {@code .tmp-} sibling,
 * which {@link #resolve} finds. A write that fails (a full disk, a read-only folder) removes its {@code .tmp-} folder
 * and leaves the previous checkpoint as it was.
 */
final class Checkpoints {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String DESCRIPTION = "checkpoint.json";

    private Checkpoints() {}

    /**
     * Writes a complete checkpoint into a sibling folder and swaps it in for {@code directory}.
     *
     * @param sequence distinguishes this checkpoint's temporary folders (the env step count)
     */
    static void save(Path directory, LatentPolicyOptimizer optimizer, GenerativeDecoder decoder,
            Map<String, Object> description, long envSteps, Map<String, Object> progress, long sequence)
            throws IOException {
        save(directory, optimizer, decoder, description, envSteps, progress, sequence, null);
    }

    /**
     * Writes a complete checkpoint, with the stage's best encoder in {@code best-encoder/} when there is one.
     *
     * @param best the snapshot, or null
     */
    static void save(Path directory, LatentPolicyOptimizer optimizer, GenerativeDecoder decoder,
            Map<String, Object> description, long envSteps, Map<String, Object> progress, long sequence,
            EncoderSnapshot best) throws IOException {
        Path target = directory.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        String name = target.getFileName().toString();
        Path fresh = parent.resolve(name + ".tmp-" + sequence);
        Path old = parent.resolve(name + ".old-" + sequence);
        deleteTree(fresh);
        deleteTree(old);
        try {
            Files.createDirectories(fresh.resolve("optimizer"));
            Files.createDirectories(fresh.resolve("decoder"));
            optimizer.save(fresh.resolve("optimizer"));
            decoder.save(fresh.resolve("decoder"));
            if (best != null) {
                Path folder = fresh.resolve(EncoderSnapshot.FOLDER);
                Files.createDirectories(folder);
                best.writeTo(folder);
            }
            Map<String, Object> json = new LinkedHashMap<>(description);
            json.put("envSteps", envSteps);
            if (progress != null) {
                json.put("progress", progress);
            }
            // Written last: a folder without checkpoint.json is incomplete and never loaded.
            JsonFile.write(fresh.resolve(DESCRIPTION), json);
        } catch (IOException | RuntimeException e) {
            // A half-written checkpoint is never swapped in; do not leave it taking the space a retry needs.
            try {
                deleteTree(fresh);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        if (Files.exists(target)) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
        deleteStaleSiblings(parent, name);
    }

    /**
     * The folder to load for {@code directory}: itself when it holds {@code checkpoint.json}, otherwise the complete
     * sibling a swap interrupted between its two renames left (the newest, by env steps), otherwise
     * {@code directory} itself (whose load then fails, naming it).
     */
    static Path resolve(Path directory) throws IOException {
        if (Files.exists(directory.resolve(DESCRIPTION))) {
            return directory;
        }
        Path parent = directory.toAbsolutePath().normalize().getParent();
        String name = directory.getFileName().toString();
        if (parent == null || !Files.isDirectory(parent)) {
            return directory;
        }
        Path best = directory;
        long bestSteps = -1;
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(parent, name + ".{tmp,old}-*")) {
            for (Path p : siblings) {
                Path file = p.resolve(DESCRIPTION);
                if (!Files.exists(file)) {
                    continue;
                }
                try {
                    long steps = JsonFile.read(file).path("envSteps").asLong(-1);
                    if (steps > bestSteps) {
                        bestSteps = steps;
                        best = p;
                    }
                } catch (IOException e) {
                    // An unreadable description: not a complete checkpoint.
                }
            }
        }
        return best;
    }

    /**
     * Restores a checkpoint into the optimizer and decoder after checking its format version, task, optimizer and
     * decoder; nothing is changed when a check fails.
     *
     * @return the checkpoint's {@code checkpoint.json}
     */
    static JsonNode load(Path directory, LatentPolicyOptimizer optimizer, GenerativeDecoder decoder,
            Map<String, Object> expected) throws IOException {
        Path from = resolve(directory);
        Path file = from.resolve(DESCRIPTION);
        JsonNode saved;
        try {
            // The format version first: a file of another version may not even have a checksum.
            saved = JsonFile.parse(file);
        } catch (NoSuchFileException e) {
            throw new IOException("no checkpoint in " + directory + ": " + file + " is missing (the checkpoint's"
                    + " description: configuration and progress)", e);
        }
        // Through the same JSON text as the saved side: valueToTree keeps Java types (a float config value becomes a
        // FloatNode), while the file reads back as doubles and ints, and JsonNode equality compares node types.
        JsonNode want = JSON.readTree(JSON.writeValueAsBytes(expected));
        int version = saved.path("formatVersion").asInt(-1);
        if (version != Provenance.FORMAT_VERSION) {
            throw new IOException(file + " has format version " + version + ", this library reads version "
                    + Provenance.FORMAT_VERSION);
        }
        saved = JsonFile.read(file);
        requireSame(file, "task", saved, want);
        requireSame(file, "optimizer", saved, want);
        requireSame(file, "decoder", saved, want);
        boolean savedBounded = saved.path("trainer").path(GoRL.BOUNDED_LATENT).asBoolean(false);
        boolean wantBounded = want.path("trainer").path(GoRL.BOUNDED_LATENT).asBoolean(false);
        if (savedBounded != wantBounded) {
            // The same networks mean another policy when the decoder receives tanh(u) instead of u.
            throw new IOException(file + " was saved with boundedLatent " + savedBounded + ", but this agent has"
                    + " boundedLatent " + wantBounded + " (GoRL.Builder.boundedLatent): its encoder and decoder would"
                    + " act as another policy");
        }
        try {
            optimizer.load(from.resolve("optimizer"));
        } catch (NoSuchFileException e) {
            throw missing(from, e, "the state of optimizer '" + optimizer.name() + "': its parameters, optimizer"
                    + " moments and normalizer statistics");
        }
        try {
            decoder.load(from.resolve("decoder"));
        } catch (NoSuchFileException e) {
            throw missing(from, e, "the parameters of decoder '" + decoder.name() + "'");
        }
        return saved;
    }

    /** A file a checkpoint should have and lacks, named relative to the checkpoint, with what it should hold. */
    static IOException missing(Path checkpoint, NoSuchFileException e, String holds) {
        String file = e.getFile();
        String relative = file == null ? "a file" : checkpoint.toAbsolutePath().normalize()
                .relativize(Path.of(file).toAbsolutePath().normalize()).toString();
        if (relative.endsWith("replay-buffer.tensors")) {
            holds = "SAC's replay buffer, which an exact resume needs";
        }
        return new IOException("checkpoint " + checkpoint + " is missing " + relative + " (" + holds + ")", e);
    }

    private static void requireSame(Path file, String field, JsonNode saved, JsonNode want) throws IOException {
        if (!saved.path(field).equals(want.path(field))) {
            throw new IOException(file + " was saved for " + field + " " + saved.path(field)
                    + ", but this agent has " + field + " " + want.path(field));
        }
    }

    /** Removes what earlier interrupted swaps left, once a new checkpoint is in place. */
    private static void deleteStaleSiblings(Path parent, String name) throws IOException {
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(parent, name + ".{tmp,old}-*")) {
            for (Path p : siblings) {
                deleteTree(p);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
