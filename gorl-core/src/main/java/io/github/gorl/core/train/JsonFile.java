package io.github.gorl.core.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The JSON files a run writes for itself to read back ({@code checkpoint.json}, {@code run.json},
 * {@code summary.json}, {@code train-args.json}): an object, pretty-printed, written atomically, whose last field
 * {@code "crc32"} is a CRC-32 of the rest of the object. Unlike a tensor file's CRC, it covers the <em>parsed</em>
 * content, not the bytes: the compact JSON text of the object without {@code crc32}. So a change of layout alone
 * (whitespace, {@code 1e-3} for {@code 1E-3}, a tool's re-indentation) reads back as the same content, and every
 * change of content (a flipped digit, a cut file, an edited value) is refused with an {@link IOException} naming
 * the file, instead of being trained on.
 */
public final class JsonFile {

    /** The name of the checksum field. */
    public static final String CHECKSUM = "crc32";

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private JsonFile() {}

    /**
     * Writes {@code value} (which must serialize to a JSON object) with its checksum, atomically: a kill or a full
     * disk leaves the previous file or the new one, and no temporary file.
     *
     * @param path the file; its folder must exist
     * @param value a map or a record, serialized by Jackson
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if {@code value} is not a JSON object
     */
    public static void write(Path path, Object value) throws IOException {
        JsonNode tree = COMPACT.readTree(COMPACT.writeValueAsBytes(value));
        if (!(tree instanceof ObjectNode object)) {
            throw new IllegalArgumentException("a JSON file holds an object, got " + tree.getNodeType());
        }
        object.remove(CHECKSUM);
        object.put(CHECKSUM, checksum(object));
        TensorFile.writeAtomically(path, PRETTY.writeValueAsBytes(object));
    }

    /**
     * Reads a file {@link #write} wrote and verifies its checksum.
     *
     * @param path the file
     * @return the object, without its {@code crc32} field
     * @throws NoSuchFileException if the file is missing
     * @throws IOException if it is not JSON, not an object, has no checksum or another one than its content (the
     *     message names the file)
     */
    public static ObjectNode read(Path path) throws IOException {
        ObjectNode object = parse(path);
        JsonNode stored = object.remove(CHECKSUM);
        if (stored == null) {
            throw new IOException(path + " has no \"" + CHECKSUM + "\" checksum: it was cut, edited, or written by an"
                    + " older gorl-java");
        }
        String actual = checksum(object);
        if (!stored.isTextual() || !stored.asText().equals(actual)) {
            throw new IOException(path + " is corrupted or was edited: its content has checksum " + actual
                    + ", the file records " + stored);
        }
        return object;
    }

    /**
     * Parses a JSON object without checking its checksum (for a reader that must look at a field, such as a format
     * version, before the checksum tells anything).
     *
     * @param path the file
     * @return the object, with its {@code crc32} field if it has one
     * @throws NoSuchFileException if the file is missing
     * @throws IOException if it is not JSON or not an object (the message names the file)
     */
    public static ObjectNode parse(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        JsonNode tree;
        try {
            tree = COMPACT.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IOException(path + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new IOException(path + " is not a JSON object" + (tree == null || tree.isMissingNode()
                    ? " (it is empty)" : ""));
        }
        return object;
    }

    private static String checksum(ObjectNode withoutChecksum) throws JsonProcessingException {
        CRC32 crc = new CRC32();
        crc.update(COMPACT.writeValueAsBytes(withoutChecksum));
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }
}
