package io.github.gorl.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Saving and restoring an agent: the optimizer, the decoder, and a {@code checkpoint.json} describing them. */
final class Checkpoints {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoints() {}

    static void save(Path directory, LatentPolicyOptimizer optimizer, GenerativeDecoder decoder,
            Map<String, Object> description, long envSteps) throws IOException {
        Files.createDirectories(directory.resolve("optimizer"));
        Files.createDirectories(directory.resolve("decoder"));
        optimizer.save(directory.resolve("optimizer"));
        decoder.save(directory.resolve("decoder"));
        Map<String, Object> json = new LinkedHashMap<>(description);
        json.put("envSteps", envSteps);
        // Written last: a checkpoint without checkpoint.json is incomplete and is refused on load.
        TensorFile.writeAtomically(directory.resolve("checkpoint.json"), JSON.writeValueAsBytes(json));
    }

    static long load(Path directory, LatentPolicyOptimizer optimizer, GenerativeDecoder decoder,
            Map<String, Object> expected) throws IOException {
        Path file = directory.resolve("checkpoint.json");
        JsonNode saved;
        try {
            saved = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new IOException("no checkpoint in " + directory + ": " + file + " is missing", e);
        } catch (IOException e) {
            throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        // Through the same JSON text as the saved side: valueToTree keeps Java types (a float config value becomes a
        // FloatNode), while the file reads back as doubles and ints, and JsonNode equality compares node types.
        JsonNode want = JSON.readTree(JSON.writeValueAsBytes(expected));
        int version = saved.path("formatVersion").asInt(-1);
        if (version != Provenance.FORMAT_VERSION) {
            throw new IOException(file + " has format version " + version + ", this library reads version "
                    + Provenance.FORMAT_VERSION);
        }
        requireSame(file, "task", saved, want);
        requireSame(file, "optimizer", saved, want);
        requireSame(file, "decoder", saved, want);
        optimizer.load(directory.resolve("optimizer"));
        decoder.load(directory.resolve("decoder"));
        return saved.path("envSteps").asLong();
    }

    private static void requireSame(Path file, String field, JsonNode saved, JsonNode want) throws IOException {
        if (!saved.path(field).equals(want.path(field))) {
            throw new IOException(file + " was saved for " + field + " " + saved.path(field)
                    + ", but this agent has " + field + " " + want.path(field));
        }
    }
}
