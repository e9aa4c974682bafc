package io.github.gorl.decoders.nn;

import io.github.gorl.api.Validate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A small versioned binary file of named float arrays, written atomically: the bytes go to a temporary
 * file in the same folder, are forced to disk, and replace the target with one rename, so a crash or a
 * kill leaves either the old file or the new one, never half of one. A CRC-32 over the content detects
 * corruption and truncation on reading.
 *
 * <p>Layout: magic {@code GORLTNSR}, the kind (a string naming what wrote it), the format version, the
 * number of entries, then per entry its name, length and values, then the CRC. Not part of the stable API.
 */
public final class TensorFile {

    private static final long MAGIC = 0x474F524C544E5352L; // "GORLTNSR"

    /**
     * What a tensor file holds.
     *
     * @param kind the writer's kind, such as {@code "ppo"} or {@code "flow-decoder"}
     * @param version the writer's format version
     * @param entries name to values, in file order
     */
    public record Content(String kind, int version, Map<String, float[]> entries) {

        /**
         * One entry, which must exist with the given length.
         *
         * @param name the entry name
         * @param length the expected length
         * @return the values
         * @throws IOException if it is missing or has another length
         */
        public float[] require(String name, int length) throws IOException {
            float[] v = entries.get(name);
            if (v == null) {
                throw new IOException("entry '" + name + "' is missing from this " + kind + " file");
            }
            if (v.length != length) {
                throw new IOException("entry '" + name + "' of this " + kind + " file holds " + v.length
                        + " values, expected " + length);
            }
            return v;
        }
    }

    private TensorFile() {}

    /**
     * Writes the entries atomically.
     *
     * @param path the destination; its folder must exist
     * @param kind what writes the file
     * @param version the writer's format version
     * @param entries name to values
     * @throws IOException if writing fails; the previous file, if any, is then untouched
     */
    public static void write(Path path, String kind, int version, Map<String, float[]> entries) throws IOException {
        Validate.notNull("path", path);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(MAGIC);
            out.writeUTF(kind);
            out.writeInt(version);
            out.writeInt(entries.size());
            for (Map.Entry<String, float[]> e : entries.entrySet()) {
                out.writeUTF(e.getKey());
                float[] v = e.getValue();
                out.writeInt(v.length);
                ByteBuffer buffer = ByteBuffer.allocate(v.length * Float.BYTES);
                buffer.asFloatBuffer().put(v);
                out.write(buffer.array());
            }
        }
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(crc.getValue());
        }
        writeAtomically(path, bytes.toByteArray());
    }

    /**
     * Writes bytes atomically: temporary file, fsync, rename, fsync of the folder.
     *
     * @param path the destination; its folder must exist
     * @param content the bytes
     * @throws IOException if writing fails; the previous file, if any, is then untouched
     */
    public static void writeAtomically(Path path, byte[] content) throws IOException {
        Path folder = path.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(folder, "." + path.getFileName(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // Some file systems cannot open a folder for fsync; the rename itself is still atomic.
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Reads and verifies a file.
     *
     * @param path the file
     * @param expectedKind the kind the caller can read
     * @param supportedVersion the format version the caller can read
     * @return the content
     * @throws IOException if the file is missing, truncated, corrupted, of another kind or of another
     *     version (the message names the file and both values)
     */
    public static Content read(Path path, String expectedKind, int supportedVersion) throws IOException {
        byte[] all = Files.readAllBytes(path);
        if (all.length < 16) {
            throw new IOException(path + " is truncated: " + all.length + " bytes");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long stored = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 8))) {
            if (in.readLong() != MAGIC) {
                throw new IOException(path + " is not a gorl-java tensor file (bad magic number)");
            }
            if (stored != crc.getValue()) {
                throw new IOException(path + " is corrupted or truncated: checksum mismatch");
            }
            String kind = in.readUTF();
            int version = in.readInt();
            if (!kind.equals(expectedKind)) {
                throw new IOException(path + " holds a '" + kind + "' file, expected '" + expectedKind + "'");
            }
            if (version != supportedVersion) {
                throw new IOException(path + " has format version " + version + ", this library reads version "
                        + supportedVersion);
            }
            int n = in.readInt();
            Map<String, float[]> entries = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                int length = in.readInt();
                byte[] raw = new byte[length * Float.BYTES];
                in.readFully(raw);
                float[] values = new float[length];
                ByteBuffer.wrap(raw).asFloatBuffer().get(values);
                entries.put(name, values);
            }
            return new Content(kind, version, entries);
        } catch (EOFException e) {
            throw new IOException(path + " is truncated", e);
        }
    }
}
